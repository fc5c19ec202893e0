/** Wraps an {@link ImageProvider} so each image call's duration and each failure's kind reach the metrics. */
import { ProviderError } from "../core/errors.js";
import type { ImageProvider, MetricsSink } from "../core/ports.js";

export function meteredProvider<P extends ImageProvider>(provider: P, metrics: MetricsSink): P {
  const counted = (error: unknown): never => {
    metrics.openaiError(error instanceof ProviderError ? error.kind : "unknown");
    throw error;
  };
  return Object.assign(Object.create(provider) as P, {
    async generate(request: Parameters<ImageProvider["generate"]>[0]) {
      const started = performance.now();
      const image = await provider.generate(request).catch(counted);
      metrics.generationSeconds((performance.now() - started) / 1000);
      return image;
    },
    async edit(request: Parameters<ImageProvider["edit"]>[0]) {
      const started = performance.now();
      const image = await provider.edit(request).catch(counted);
      metrics.generationSeconds((performance.now() - started) / 1000);
      return image;
    },
    moderate: (prompt: string, signal?: AbortSignal) => provider.moderate(prompt, signal).catch(counted),
    moderateImage: (request: Parameters<ImageProvider["moderateImage"]>[0]) => provider.moderateImage(request).catch(counted),
  });
}
