/**
 * Pubsub channels: one interface, three backends (`memory`, `cluster`,
 * `redis://`), chosen by the `pubsub` setting, and PubSubWS, which writes
 * what is published to WebSockets.
 * @module
 */
export type { JsonValue, Listener, Message, PubSub, Unsubscribe } from './types.js'
export { PubSubError } from './types.js'
export type { PubSubBaseOptions } from './base.js'
export { MemoryPubSub } from './memory.js'
export { ClusterPubSub } from './cluster.js'
export { RedisPubSub, type RedisPubSubOptions } from './redis.js'
export { createPubSub, getPubSub, type PubSubOptions } from './create.js'
export { PubSubWS, type SocketChannels } from './pubsub-ws.js'
