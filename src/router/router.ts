/**
 * Router: pulsar's routing middleware. A tree of routers, each with a rule
 * relative to its parent's and handlers named after HTTP methods, matched
 * with one find-my-way lookup per request.
 * @module
 */
import { isThenable, toFunction } from '../wsgi/callable.js'
import { Http404, MethodNotAllowed, NotAcceptable } from '../wsgi/errors.js'
import { WsgiRequest } from '../wsgi/request.js'
import { WsgiResponse } from '../wsgi/response.js'
import type { Body, Environ, StartResponse } from '../wsgi/types.js'
import {
  HTTP_METHODS,
  type RouteHandlerLike,
  type RouterInit,
  type RouterOptions,
  SkipRoute,
} from './options.js'
import { toResponse } from './respond.js'
import type { RouteHandler } from './route-request.js'
import { Rule, joinRules } from './rule.js'
import { redirectSlash } from './slash.js'
import { RouteTable, type TableRoute } from './table.js'
import type { UrlArgs, UrlArgsOf } from './url-args.js'
import { checkSchemas, checkedHandler, hasSchema } from './validate.js'

export type { TrailingSlash } from './table.js'

interface Route extends TableRoute {
  readonly handlers: ReadonlyMap<string, RouteHandler>
  readonly allow: readonly string[]
  readonly contentTypes: readonly string[] | undefined
  readonly wrapper: RouterOptions['responseWrapper']
}

/** The URL arguments `path()` takes: optional when the rule has none. */
type PathArgs<R extends string, A = UrlArgsOf<R>> = NoArgs extends A
  ? [urlargs?: Readonly<UrlArgs>]
  : [urlargs: Readonly<A & UrlArgs>]

type NoArgs = Record<never, never>

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a router of any rule
type AnyRouter = Router<any>

const METHOD_ORDER = HTTP_METHODS.map((method) => method.toUpperCase())

/** A handler as the table keeps it: a function, checking its schemas first when it has some. */
function handlerOf(given: RouteHandlerLike, method: string): RouteHandler {
  const handle = toFunction<RouteHandler>(given, `The ${method} handler`)
  return hasSchema(given) ? checkedHandler(given.schema, handle) : handle
}

/**
 * Routing middleware: `new Router(rule, { get, post, ... }, ...children)`.
 * Returns `undefined` when no route matches, so the next middleware answers.
 * `R` is the full rule as the type checker knows it, which types the URL
 * arguments of the handlers: `<int:id>` gives `request.urlargs.id: number`.
 */
export class Router<R extends string = string> {
  /** The rule as given, relative to the parent's. */
  readonly rule: string
  /** The router's name. */
  readonly name: string
  readonly #given = new Map<string, RouteHandlerLike>()
  readonly #options: RouterOptions
  readonly #children: AnyRouter[] = []
  #parent: AnyRouter | undefined
  #table: RouteTable<Route> | undefined
  #rule: Rule | undefined
  #ruleFor = ''

  constructor(rule: R, init?: RouterInit<UrlArgsOf<R>> | AnyRouter, ...children: AnyRouter[]) {
    if (init instanceof Router) children.unshift(init)
    const options: RouterInit<UrlArgsOf<R>> = init instanceof Router ? {} : (init ?? {})
    this.rule = rule
    this.name = options.name ?? rule
    this.#options = options
    for (const method of HTTP_METHODS) {
      const handler = options[method] as RouteHandlerLike | undefined
      if (handler !== undefined) {
        toFunction(handler as RouteHandlerLike & object, `The ${method} handler`)
        if (hasSchema(handler)) checkSchemas(handler.schema)
        this.#given.set(method.toUpperCase(), handler)
      }
    }
    for (const child of children) this.addChild(child)
    new Rule(rule) // a malformed rule throws here, not on the first request
  }

  /** The parent router, if any. */
  get parent(): AnyRouter | undefined {
    return this.#parent
  }

  /** The router at the top of the tree. */
  get root(): AnyRouter {
    return this.#parent ? this.#parent.root : this
  }

  /** The child routers, in order. */
  get children(): readonly AnyRouter[] {
    return this.#children.slice()
  }

  /** The full rule: the parent's joined with this one. */
  get fullRule(): string {
    return this.#parent ? joinRules(this.#parent.fullRule, this.rule) : this.rule
  }

  /** The methods this router answers, OPTIONS and HEAD (for GET) included; empty when it has no handler. */
  get methods(): string[] {
    return allowed(this.#handlers())
  }

  /** An option of this router, else of its closest ancestor that sets it. */
  getOption<K extends keyof RouterOptions>(name: K): RouterOptions[K] | undefined {
    return this.#options[name] ?? this.#parent?.getOption(name)
  }

  /** The path of this router for `urlargs`: `router.path({ id: 5 })` gives `/users/5`. */
  path(...[urlargs = {}]: PathArgs<R>): string {
    const full = this.fullRule
    if (this.#rule === undefined || this.#ruleFor !== full) {
      this.#rule = new Rule(full)
      this.#ruleFor = full
    }
    return this.#rule.url(urlargs)
  }

  /** Adds a child router (moved from its previous parent, if any) and returns it. */
  addChild<C extends AnyRouter>(router: C, index = this.#children.length): C {
    if ((router as AnyRouter) === this) throw new TypeError('A router cannot be its own descendant')
    for (let ancestor: AnyRouter | undefined = this.#parent; ancestor; ancestor = ancestor.#parent)
      if (ancestor === router) throw new TypeError('A router cannot be its own descendant')
    router.#parent?.removeChild(router)
    this.#children.splice(index, 0, router)
    router.#parent = this
    this.#changed()
    return router
  }

  /** Removes a child router. */
  removeChild(router: AnyRouter): void {
    const index = this.#children.indexOf(router)
    if (index < 0) return
    this.#children.splice(index, 1)
    router.#parent = undefined
    router.#changed()
    this.#changed()
  }

  /**
   * Adds a child with a rule relative to this router's and returns it:
   * `api.route('users/<int:id>', { get })`. Its handlers' URL arguments are
   * this router's and those of its own rule, typed.
   */
  route<C extends string>(
    rule: C,
    init?: RouterInit<UrlArgsOf<`${R}/${C}`>> | AnyRouter,
    ...children: AnyRouter[]
  ): Router<`${R}/${C}`> {
    const child = new Router(rule, init as RouterInit, ...children)
    return this.addChild(child) as unknown as Router<`${R}/${C}`>
  }

  /** The router of this tree with that name, depth first, or `undefined`. */
  getRouter(name: string): AnyRouter | undefined {
    if (this.name === name) return this
    for (const child of this.#children) {
      const found = child.getRouter(name)
      if (found) return found
    }
    return undefined
  }

  /** The middleware: answers the request when a route of the tree matches, else `undefined`. */
  handle(
    environ: Environ,
    _startResponse?: StartResponse,
  ): Body | undefined | Promise<Body | undefined> {
    const table = (this.#table ??= this.#compile())
    const match = table.find(environ.PATH_INFO)
    if (match === undefined) return undefined
    const routes = match.routes
    for (let i = 0; i < routes.length; i++) {
      const route = routes[i]!
      const urlargs = route.rule.convert(match.params)
      if (urlargs === undefined) continue
      if (match.redirect) return redirectSlash(environ, route.rule)
      return this.#dispatch(environ, route, urlargs)
    }
    // the path has a route's shape, but a value does not convert: that route's 404
    throw new Http404()
  }

  /** Tables of this router and every ancestor are rebuilt on their next request. */
  #changed(): void {
    this.#table = undefined
    for (let router = this.#parent; router; router = router.#parent) router.#table = undefined
  }

  /** The handlers by method: the given ones, the class's methods, HEAD from GET. */
  #handlers(): Map<string, RouteHandler> {
    const handlers = new Map<string, RouteHandler>()
    const self = this as unknown as Record<string, unknown>
    for (const method of METHOD_ORDER) {
      const given = this.#given.get(method)
      const own = self[method.toLowerCase()]
      if (given !== undefined) handlers.set(method, handlerOf(given, method))
      else if (typeof own === 'function') handlers.set(method, (own as RouteHandler).bind(this))
    }
    const get = handlers.get('GET')
    if (get && !handlers.has('HEAD')) handlers.set('HEAD', get)
    return handlers
  }

  #compile(): RouteTable<Route> {
    // one rule on two routers: their methods merge, the first handler of a method wins
    const byRule = new Map<
      string,
      { rule: Rule; router: AnyRouter; handlers: Map<string, RouteHandler> }
    >()
    const visit = (router: AnyRouter, fullRule: string) => {
      const handlers = router.#handlers()
      if (handlers.size) {
        const rule = new Rule(fullRule)
        const same = byRule.get(rule.rule)
        if (!same) byRule.set(rule.rule, { rule, router, handlers })
        else
          for (const [method, handler] of handlers)
            if (!same.handlers.has(method)) same.handlers.set(method, handler)
      }
      for (const child of router.#children) visit(child, joinRules(fullRule, child.rule))
    }
    visit(this, this.fullRule)
    const routes = [...byRule.values()].map(({ rule, router, handlers }): Route => ({
      rule,
      handlers,
      allow: allowed(handlers),
      trailingSlash: router.getOption('trailingSlash') ?? 'redirect',
      contentTypes: router.getOption('responseContentTypes'),
      wrapper: router.getOption('responseWrapper'),
    }))
    return new RouteTable(routes, this.getOption('maxParamLength') ?? 100)
  }

  #dispatch(
    environ: Environ,
    route: Route,
    urlargs: Record<string, unknown>,
  ): Body | undefined | Promise<Body | undefined> {
    const method = environ.REQUEST_METHOD
    const handler = route.handlers.get(method)
    if (handler === undefined) {
      if (method === 'OPTIONS')
        return new WsgiResponse(204, undefined, [['Allow', route.allow.join(', ')]])
      throw new MethodNotAllowed(route.allow)
    }
    const request = new WsgiRequest(environ, urlargs)
    const types = route.contentTypes
    if (types && request.accepts(...types) === undefined)
      throw new NotAcceptable(`The client accepts none of ${types.join(', ')}`)
    let result: unknown
    try {
      result = route.wrapper ? route.wrapper(handler, request) : handler(request)
    } catch (error) {
      if (error instanceof SkipRoute) return undefined
      throw error
    }
    if (!isThenable(result)) return toResponse(result, request)
    return Promise.resolve(result).then(
      (value) => toResponse(value, request),
      (error: unknown) => {
        if (error instanceof SkipRoute) return undefined
        throw error
      },
    )
  }
}

/** The methods in the `Allow` header of a route: its own, HEAD with GET, and OPTIONS. */
function allowed(handlers: ReadonlyMap<string, RouteHandler>): string[] {
  if (handlers.size === 0) return []
  return METHOD_ORDER.filter((method) => method === 'OPTIONS' || handlers.has(method))
}
