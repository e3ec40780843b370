package feed

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
)

// BenchmarkPublishConsume publishes b.N distinct messages and consumes them
// with one Run, acking each with a confirmed double ack.
func BenchmarkPublishConsume(b *testing.B) {
	for _, batch := range []int{1, 16} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			f := startFeed(b)
			pub := NewPublisher(f.js)
			c := newTestConsumer(b, f.js, ConsumerConfig{BatchSize: batch})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()

			var handled atomic.Int64
			want := int64(b.N)
			done := make(chan error, 1)
			b.ResetTimer()
			go func() {
				done <- c.Run(ctx, func(context.Context, Delivery) error {
					if handled.Add(1) == want {
						cancel()
					}
					return nil
				})
			}()
			for i := range b.N {
				data := fmt.Appendf(nil, "MSH|^~\\&|LAB|HOSP|||20240501||ORU^R01|BENCH%d|P|2.5\r", i)
				if _, err := pub.Publish(context.Background(), testSubject, data); err != nil {
					b.Fatalf("publish: %v", err)
				}
			}
			if err := <-done; err != nil {
				b.Fatalf("Run: %v", err)
			}
		})
	}
}
