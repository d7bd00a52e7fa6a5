package dev.cimc.ir.quant.ptq;

import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.TensorType;

/**
 * Quantized weights chosen by a PTQ algorithm.
 *
 * @param codes the integer codes, typed with the scheme's element type and {@code params} (a q-dialect constant)
 * @param weights the same as f32 {@code s·(q − z)}: quantizing it with {@code params} gives back {@code codes}
 * @param params the quantization parameters
 */
public record RoundedWeights(Tensor codes, Tensor weights, QuantParams params) {
  /** Builds both forms from codes laid out like {@code like} (channel c along {@code params.axis()}). */
  static RoundedWeights of(Tensor like, QuantScheme scheme, QuantParams params, long[] codes) {
    TensorType qt = new TensorType(scheme.elementType(), like.shape(), params);
    float[] w = new float[codes.length];
    int inner = 1;
    if (!params.isPerTensor()) {
      for (int d = params.axis() + 1; d < like.shape().rank(); d++) {
        inner *= like.shape().dim(d);
      }
    }
    int channels = params.channels();
    for (int i = 0; i < codes.length; i++) {
      int c = params.isPerTensor() ? 0 : (i / inner) % channels;
      w[i] = (float) (params.scale(c) * (codes[i] - params.zeroPoint(c)));
    }
    return new RoundedWeights(Tensor.fromLongs(qt, codes), Tensor.wrap(TensorType.f32(like.shape().dims()), w), params);
  }
}
