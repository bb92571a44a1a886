/**
 * permessage-deflate negotiation (RFC 7692 §7): the server's answer to a
 * client's offers, within the route's settings. Every valid offer is
 * accepted; an invalid one is declined, and the next offer is tried.
 * @module
 */
import type { DeflateOptions } from './options.js'

/** The name of the extension in `Sec-WebSocket-Extensions`. */
export const PERMESSAGE_DEFLATE = 'permessage-deflate'

/** One offer as the header parser gives it: each parameter with its values (`true` for a bare name). */
export type OfferParams = Readonly<Record<string, readonly (string | true)[]>>

/** A valid offer, read. */
interface Offer {
  serverNoContextTakeover: boolean
  clientNoContextTakeover: boolean
  /** The largest window the client allows the server; `undefined` when it did not say (15). */
  serverMaxWindowBits: number | undefined
  /** `undefined`: the offer has no client_max_window_bits; `true`: the parameter without a value. */
  clientMaxWindowBits: number | true | undefined
}

// RFC 7692 §7.1.2: a decimal 8 to 15, no leading zero
const WINDOW_BITS = /^(?:[89]|1[0-5])$/
const LARGEST_WINDOW = 15

/** The offer's parameters, or `undefined` when RFC 7692 §7 says to decline it (unknown, repeated or invalid). */
function readOffer(params: OfferParams): Offer | undefined {
  const offer: Offer = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: undefined,
    clientMaxWindowBits: undefined,
  }
  for (const [name, values] of Object.entries(params)) {
    if (values.length !== 1) return undefined
    const value = values[0]!
    const bits = value !== true && WINDOW_BITS.test(value) ? Number(value) : undefined
    switch (name) {
      case 'server_no_context_takeover':
        if (value !== true) return undefined
        offer.serverNoContextTakeover = true
        break
      case 'client_no_context_takeover':
        if (value !== true) return undefined
        offer.clientNoContextTakeover = true
        break
      case 'server_max_window_bits':
        if (bits === undefined) return undefined
        offer.serverMaxWindowBits = bits
        break
      case 'client_max_window_bits':
        if (value !== true && bits === undefined) return undefined
        offer.clientMaxWindowBits = bits ?? true
        break
      default:
        return undefined
    }
  }
  return offer
}

/**
 * The `Sec-WebSocket-Extensions` answer to a client's permessage-deflate
 * offers (in its order of preference): the first valid one, accepted with
 * the smaller of each window the route and the client allow, and every
 * no-context-takeover flag either side asked for. `undefined` when no offer
 * is valid: the socket then opens without compression.
 */
export function negotiateDeflate(
  offers: readonly OfferParams[],
  settings: Required<DeflateOptions>,
): string | undefined {
  for (const params of offers) {
    const offer = readOffer(params)
    if (offer === undefined) continue
    const answer = [PERMESSAGE_DEFLATE]
    if (settings.serverNoContextTakeover || offer.serverNoContextTakeover)
      answer.push('server_no_context_takeover')
    if (settings.clientNoContextTakeover || offer.clientNoContextTakeover)
      answer.push('client_no_context_takeover')
    // §7.1.2.1: an offer with server_max_window_bits is accepted by answering
    // the same or a smaller value
    const offered = offer.serverMaxWindowBits
    const serverBits = Math.min(settings.serverMaxWindowBits, offered ?? LARGEST_WINDOW)
    if (serverBits < LARGEST_WINDOW || offered !== undefined)
      answer.push(`server_max_window_bits=${serverBits}`)
    // §7.1.2.2: only a client that offered the parameter may be given a window;
    // one that did not uses up to 15 bits, which the server's inflater allows
    const client = offer.clientMaxWindowBits
    if (client !== undefined) {
      const clientBits = Math.min(
        settings.clientMaxWindowBits,
        client === true ? LARGEST_WINDOW : client,
      )
      if (clientBits < LARGEST_WINDOW || client !== true)
        answer.push(`client_max_window_bits=${clientBits}`)
    }
    return answer.join('; ')
  }
  return undefined
}
