package feed

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const testSubject = "ehrbridge.hl7.tenant-a.lab"

// testFeed is an embedded server with the HL7 stream and one client.
type testFeed struct {
	dir    string
	server *Embedded
	conn   *nats.Conn
	js     jetstream.JetStream
}

func startFeed(t testing.TB) *testFeed {
	t.Helper()
	f := &testFeed{dir: t.TempDir()}
	f.start(t)
	return f
}

// start starts the server on f.dir and connects a client; cleanup stops both.
func (f *testFeed) start(t testing.TB) {
	t.Helper()
	server, err := StartEmbedded(EmbeddedOptions{StoreDir: f.dir})
	if err != nil {
		t.Fatalf("StartEmbedded: %v", err)
	}
	f.server = server
	t.Cleanup(server.Shutdown)

	f.conn, f.js = connect(t, server.ClientURL())
	if _, err := EnsureStream(context.Background(), f.js, StreamConfig{}); err != nil {
		t.Fatalf("EnsureStream: %v", err)
	}
}

func (f *testFeed) stop() {
	f.conn.Close()
	f.server.Shutdown()
}

func connect(t testing.TB, url string) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	conn, err := nats.Connect(url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(conn.Close)
	js, err := jetstream.New(conn)
	if err != nil {
		t.Fatalf("jetstream.New: %v", err)
	}
	return conn, js
}

func publishN(t testing.TB, js jetstream.JetStream, n int) [][]byte {
	t.Helper()
	pub := NewPublisher(js)
	var sent [][]byte
	for i := range n {
		data := fmt.Appendf(nil, "MSH|^~\\&|LAB|HOSP|EHRBRIDGE|HOSP|20240501101500||ORU^R01|CTRL%04d|P|2.5\r", i)
		if _, err := pub.Publish(context.Background(), testSubject, data); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
		sent = append(sent, data)
	}
	return sent
}

func newTestConsumer(t testing.TB, js jetstream.JetStream, cfg ConsumerConfig) *Consumer {
	t.Helper()
	if cfg.Durable == "" {
		cfg.Durable = DurableName("tenant-a", "lab")
	}
	if cfg.FilterSubject == "" {
		cfg.FilterSubject = testSubject
	}
	c, err := NewConsumer(context.Background(), js, cfg)
	if err != nil {
		t.Fatalf("NewConsumer: %v", err)
	}
	return c
}

// runUntil runs c until stop returns true for the deliveries handled so far,
// and returns them. A deadline keeps a broken consumer from hanging the test.
func runUntil(t *testing.T, c *Consumer, handle func(context.Context, Delivery) error,
	stop func([]Delivery) bool,
) []Delivery {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var mu sync.Mutex
	var got []Delivery
	err := c.Run(ctx, func(ctx context.Context, d Delivery) error {
		mu.Lock()
		got = append(got, d)
		done := stop(got)
		mu.Unlock()
		if handle != nil {
			if err := handle(ctx, d); err != nil {
				return err
			}
		}
		if done {
			cancel()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("Run timed out after %d deliveries", len(got))
	}
	return got
}

func seqs(ds []Delivery) []uint64 {
	out := make([]uint64, len(ds))
	for i, d := range ds {
		out[i] = d.StreamSeq
	}
	return out
}
