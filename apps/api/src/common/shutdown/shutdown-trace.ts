import { Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';

const SHUTDOWN_HOOKS = ['onModuleDestroy', 'beforeApplicationShutdown', 'onApplicationShutdown'] as const;

type Hooked = Partial<Record<(typeof SHUTDOWN_HOOKS)[number], (...args: unknown[]) => unknown>>;

/**
 * Which shutdown hooks have started and not yet finished, as `Class.hook`. When a shutdown outlasts
 * SHUTDOWN_TIMEOUT_MS, main.ts names them: "the worker pass under way" is a guess, this is a fact.
 *
 * Every module, provider and controller instance Nest will call a hook on (modules such as TypeORM's
 * close their pools from their own module class) has its hooks wrapped once, at bootstrap.
 */
@Injectable()
export class ShutdownTrace implements OnApplicationBootstrap {
  private readonly running = new Map<string, number>();

  constructor(private readonly modules: ModulesContainer) {}

  onApplicationBootstrap(): void {
    const seen = new Set<object>();
    for (const module of this.modules.values()) {
      const wrappers = [...module.providers.values(), ...module.controllers.values(), ...module.injectables.values()];
      const instances: unknown[] = [
        module.instance,
        ...wrappers.filter((w) => w.isDependencyTreeStatic()).map((w) => w.instance),
      ];
      for (const instance of instances) {
        if (typeof instance !== 'object' || instance === null || seen.has(instance)) continue;
        seen.add(instance);
        this.wrap(instance);
      }
    }
  }

  /** The hooks under way, oldest first, each with how long it has run. */
  pending(now = Date.now()): string[] {
    return [...this.running].map(([name, since]) => `${name} (${now - since} ms)`);
  }

  private wrap(instance: Hooked & object): void {
    const name = instance.constructor.name;
    for (const hook of SHUTDOWN_HOOKS) {
      const original = instance[hook];
      if (typeof original !== 'function') continue;
      const key = `${name}.${hook}`;
      instance[hook] = async (...args: unknown[]) => {
        this.running.set(key, Date.now());
        try {
          return await original.apply(instance, args);
        } finally {
          this.running.delete(key);
        }
      };
    }
  }
}

@Module({ providers: [ShutdownTrace], exports: [ShutdownTrace] })
export class ShutdownTraceModule {}
