import { APP_CONFIG } from '@agentmon/config';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { ShutdownRegistry } from './shutdown-registry';

/** The app's validated config slice and its shutdown registry, available to every provider. */
@Global()
@Module({})
export class ServiceModule {
  static forApp(config: object, shutdown: ShutdownRegistry): DynamicModule {
    return {
      module: ServiceModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: ShutdownRegistry, useValue: shutdown },
      ],
      exports: [APP_CONFIG, ShutdownRegistry],
    };
  }
}
