import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

/**
 * Telemetry start-up. Traces are exported over OTLP/gRPC only when an endpoint is configured;
 * otherwise the OpenTelemetry API stays a no-op and spans cost nothing.
 */
export interface TelemetryHandle {
  shutdown(): Promise<void>;
}

export function startTelemetry(options: { serviceName: string; serviceVersion: string; otlpEndpoint?: string }): TelemetryHandle {
  if (!options.otlpEndpoint) {
    return { shutdown: async () => undefined };
  }
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName, [ATTR_SERVICE_VERSION]: options.serviceVersion }),
    traceExporter: new OTLPTraceExporter({ url: options.otlpEndpoint }),
    instrumentations: [],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}

const tracer = trace.getTracer('quiver');

/** Carrier getter over plain header maps (gRPC metadata is converted to one first). */
const headerGetter = {
  keys: (carrier: Record<string, string>) => Object.keys(carrier),
  get: (carrier: Record<string, string>, key: string) => carrier[key],
};

/**
 * withServerSpan runs `work` inside a SERVER span named after the RPC, continuing a trace the
 * caller propagated in its headers, and records failures on the span.
 */
export async function withServerSpan<T>(
  name: string,
  headers: Record<string, string>,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = propagation.extract(context.active(), headers, headerGetter);
  return tracer.startActiveSpan(name, { kind: SpanKind.SERVER, attributes }, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
