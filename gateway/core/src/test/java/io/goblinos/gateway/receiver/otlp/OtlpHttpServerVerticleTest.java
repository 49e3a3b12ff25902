package io.goblinos.gateway.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.Test;

class OtlpHttpServerVerticleTest {

  @Test
  void oneServerInstancePerEventLoopOfTheVertxInstance() {
    for (int loops : new int[] {1, 3}) {
      Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
      try {
        assertThat(OtlpHttpServerVerticle.eventLoops(vertx)).isEqualTo(loops);
      } finally {
        vertx.close().await();
      }
    }
  }
}
