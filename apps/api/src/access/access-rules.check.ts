import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { ACCESS_RULE } from './access.decorator';

/** At start-up: every route handler states who may call it (`@Access`), or the service does not start. */
@Injectable()
export class AccessRulesCheck implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    const missing = unguardedRoutes(this.discovery, this.reflector);
    if (missing.length > 0) throw new Error(`routes without an @Access rule: ${missing.join(', ')}`);
  }
}

/** `Controller.method` of every route handler with no `@Access` rule on it or its controller. */
export function unguardedRoutes(discovery: DiscoveryService, reflector: Reflector): string[] {
  const missing: string[] = [];
  for (const wrapper of discovery.getControllers()) {
    const type = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
    if (!type) continue;
    const proto = type.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const isRoute =
        Reflect.getMetadata(PATH_METADATA, handler) !== undefined &&
        Reflect.getMetadata(METHOD_METADATA, handler) !== undefined;
      if (isRoute && reflector.getAllAndOverride(ACCESS_RULE, [handler, type]) === undefined)
        missing.push(`${type.name}.${name}`);
    }
  }
  return missing;
}
