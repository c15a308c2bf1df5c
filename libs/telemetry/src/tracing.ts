import {
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  ProxyTracerProvider,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
} from '@opentelemetry/api';
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

/** NON_RECORDING_SPAN is what the API hands out when tracing is off; work gets it on the fast path. */
const NON_RECORDING_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * tracingActive tells whether a span or a propagated context could have any effect: a tracer
 * provider is registered behind the API's proxy, or a propagator is. Both are checked on every
 * call (cheap lookups), so a provider registered later, in tests too, is honoured at once.
 */
function tracingActive(): boolean {
  const provider = trace.getTracerProvider();
  if (!(provider instanceof ProxyTracerProvider) || provider.getDelegateTracer('quiver') !== undefined) return true;
  return propagation.fields().length > 0;
}

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
  if (!tracingActive()) {
    // No tracer provider and no propagator are registered (no --otlp-endpoint): a span would be
    // a non-recording no-op and extracting the caller's context would change nothing, so the
    // work runs directly instead of through the API's context plumbing on every RPC.
    return work(NON_RECORDING_SPAN);
  }
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
