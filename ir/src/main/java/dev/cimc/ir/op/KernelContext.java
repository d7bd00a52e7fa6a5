package dev.cimc.ir.op;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.type.TensorType;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/** What a kernel sees: the node (attributes with defaults, result types) and a pool for parallel loops. */
public final class KernelContext {
  private final Node node;
  private final ForkJoinPool pool;

  public KernelContext(Node node, ForkJoinPool pool) {
    this.node = node;
    this.pool = pool;
  }

  public Node node() {
    return node;
  }

  public TensorType resultType(int i) {
    return node.result(i).type();
  }

  public Attribute attr(String name) {
    return node.attr(name);
  }

  public long intAttr(String name) {
    return node.intAttr(name);
  }

  public double floatAttr(String name) {
    return node.floatAttr(name);
  }

  public String stringAttr(String name) {
    return node.stringAttr(name);
  }

  public boolean boolAttr(String name) {
    return node.boolAttr(name);
  }

  public long[] intsAttr(String name) {
    return node.intsAttr(name);
  }

  /** Threads available to kernels. */
  public int parallelism() {
    return pool == null ? 1 : pool.getParallelism();
  }

  /**
   * Runs {@code body(i)} for i in [0, n), in parallel when a pool is set and the work is worth it.
   * {@code body} must write disjoint outputs per index.
   */
  public void parallelFor(int n, IntConsumer body) {
    if (pool == null || pool.getParallelism() <= 1 || n <= 1) {
      for (int i = 0; i < n; i++) {
        body.accept(i);
      }
      return;
    }
    try {
      pool.submit(() -> IntStream.range(0, n).parallel().forEach(body)).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted in a parallel kernel", e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    }
  }
}
