// The official OTLP/HTTP exporters, JSON or protobuf as OTEL_EXPORTER_OTLP_PROTOCOL says.
// Each reads its endpoint, headers and timeout from the standard variables itself.
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { OtlpProtocol } from './otel-settings';

export function createSpanExporter(protocol: OtlpProtocol): SpanExporter {
  return protocol === 'http/json' ? new JsonTraceExporter() : new ProtobufTraceExporter();
}

export function createMetricExporter(protocol: OtlpProtocol): PushMetricExporter {
  return protocol === 'http/json' ? new JsonMetricExporter() : new ProtobufMetricExporter();
}
