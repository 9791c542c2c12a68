// Who the telemetry is about: service.name `fault` and our version, overridden by
// OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME (that order of precedence, as specified).
import { type Resource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { packageVersion } from '../cli/version';

export const DEFAULT_SERVICE_NAME = 'fault';

export function runResource(): Resource {
  const defaults = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: DEFAULT_SERVICE_NAME,
    [ATTR_SERVICE_VERSION]: packageVersion(),
  });
  // merge(): the attributes of the argument win.
  return defaults.merge(detectResources({ detectors: [envDetector] }));
}
