import type { HandlerRegistry } from '../server/handler-registry';
import { apiVersionsHandler } from './api-versions-handler';
import { createTopicsHandler } from './create-topics-handler';
import { deleteTopicsHandler } from './delete-topics-handler';
import { fetchHandler } from './fetch-handler';
import { groupHandlers } from './group-handlers';
import { findCoordinatorHandler } from './find-coordinator-handler';
import { initProducerIdHandler } from './init-producer-id-handler';
import { listOffsetsHandler } from './list-offsets-handler';
import { metadataHandler } from './metadata-handler';
import { produceHandler } from './produce-handler';

export function registerAllHandlers(registry: HandlerRegistry): HandlerRegistry {
  registry
    .register(apiVersionsHandler(registry))
    .register(produceHandler)
    .register(fetchHandler)
    .register(listOffsetsHandler)
    .register(metadataHandler)
    .register(findCoordinatorHandler)
    .register(createTopicsHandler)
    .register(deleteTopicsHandler)
    .register(initProducerIdHandler);
  for (const h of groupHandlers) registry.register(h);
  return registry;
}
