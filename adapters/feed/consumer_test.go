package feed

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nats-io/nats.go"
)

func TestIntegrationConsumeInOrder(t *testing.T) {
	f := startFeed(t)
	sent := publishN(t, f.js, 5)
	c := newTestConsumer(t, f.js, ConsumerConfig{BatchSize: 3})

	got := runUntil(t, c, nil, func(ds []Delivery) bool { return len(ds) == len(sent) })

	if diff := cmp.Diff([]uint64{1, 2, 3, 4, 5}, seqs(got)); diff != "" {
		t.Errorf("stream sequences (-want +got):\n%s", diff)
	}
	for i, d := range got {
		if string(d.Data) != string(sent[i]) {
			t.Errorf("delivery %d: got data of message %d, want message %d", i, d.StreamSeq-1, i)
		}
		if d.MsgID != MessageID(sent[i]) {
			t.Errorf("delivery %d: got MsgID %q, want %q", i, d.MsgID, MessageID(sent[i]))
		}
		if d.Subject != testSubject {
			t.Errorf("delivery %d: got subject %q, want %q", i, d.Subject, testSubject)
		}
		if d.NumDelivered != 1 {
			t.Errorf("delivery %d: got NumDelivered %d, want 1", i, d.NumDelivered)
		}
		if d.Published.IsZero() {
			t.Errorf("delivery %d: got zero Published time", i)
		}
	}
	if err := c.WaitIdle(context.Background()); err != nil {
		t.Errorf("WaitIdle after consuming everything: %v", err)
	}
}

func TestIntegrationHandlerErrorRedelivers(t *testing.T) {
	f := startFeed(t)
	publishN(t, f.js, 3)
	c := newTestConsumer(t, f.js, ConsumerConfig{Backoff: []time.Duration{10 * time.Millisecond}})

	failed := false
	failOnce := func(_ context.Context, d Delivery) error {
		if d.StreamSeq == 2 && !failed {
			failed = true
			return errors.New("store unavailable")
		}
		return nil
	}
	var handled []Delivery
	got := runUntil(t, c, failOnce, func(ds []Delivery) bool {
		handled = ds
		return len(ds) == 4
	})

	var deliveriesOf2 []uint64
	for _, d := range got {
		if d.StreamSeq == 2 {
			deliveriesOf2 = append(deliveriesOf2, d.NumDelivered)
		}
	}
	if diff := cmp.Diff([]uint64{1, 2}, deliveriesOf2); diff != "" {
		t.Errorf("NumDelivered of stream sequence 2 (-want +got):\n%s", diff)
	}
	sorted := slices.Sorted(slices.Values(seqs(handled)))
	if diff := cmp.Diff([]uint64{1, 2, 2, 3}, sorted); diff != "" {
		t.Errorf("handled stream sequences (-want +got):\n%s", diff)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.WaitIdle(ctx); err != nil {
		t.Errorf("WaitIdle after redelivery: %v", err)
	}
}

func TestIntegrationCrashBeforeAck(t *testing.T) {
	f := startFeed(t)
	publishN(t, f.js, 1)
	cfg := ConsumerConfig{AckWait: 200 * time.Millisecond}

	// The first worker commits, then loses its connection before the ack.
	committed := map[uint64]int{}
	crashConn, crashJS := connect(t, f.server.ClientURL())
	crashing := newTestConsumer(t, crashJS, cfg)
	err := crashing.Run(context.Background(), func(_ context.Context, d Delivery) error {
		committed[d.StreamSeq]++
		crashConn.Close()
		return nil
	})
	if !errors.Is(err, nats.ErrConnectionClosed) {
		t.Fatalf("Run after connection loss: got %v, want %v", err, nats.ErrConnectionClosed)
	}

	// A second worker gets the same message again after the ack wait.
	c := newTestConsumer(t, f.js, cfg)
	got := runUntil(t, c, func(_ context.Context, d Delivery) error {
		committed[d.StreamSeq]++
		return nil
	}, func(ds []Delivery) bool { return len(ds) == 1 })

	if got[0].StreamSeq != 1 {
		t.Errorf("redelivered stream sequence: got %d, want 1", got[0].StreamSeq)
	}
	if got[0].NumDelivered != 2 {
		t.Errorf("NumDelivered after crash: got %d, want 2", got[0].NumDelivered)
	}
	if committed[1] != 2 {
		t.Errorf("handler calls for stream sequence 1: got %d, want 2", committed[1])
	}
	if err := c.WaitIdle(context.Background()); err != nil {
		t.Errorf("WaitIdle after redelivery: %v", err)
	}
}

func TestIntegrationSharedDurable(t *testing.T) {
	f := startFeed(t)
	const total = 20
	publishN(t, f.js, total)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var mu sync.Mutex
	handled := map[uint64]int{}
	perWorker := make([]int, 2)
	// Each worker holds its first message until both have one, so neither
	// can take the whole backlog before the other starts.
	var started sync.WaitGroup
	started.Add(2)
	bothStarted := make(chan struct{})
	go func() { started.Wait(); close(bothStarted) }()

	var workers sync.WaitGroup
	errs := make([]error, 2)
	for w := range 2 {
		_, js := connect(t, f.server.ClientURL())
		c := newTestConsumer(t, js, ConsumerConfig{})
		var first sync.Once
		workers.Go(func() {
			errs[w] = c.Run(ctx, func(ctx context.Context, d Delivery) error {
				first.Do(started.Done)
				select {
				case <-bothStarted:
				case <-ctx.Done():
					return ctx.Err()
				}
				mu.Lock()
				defer mu.Unlock()
				handled[d.StreamSeq]++
				perWorker[w]++
				if len(handled) == total {
					cancel()
				}
				return nil
			})
		})
	}
	workers.Wait()

	for w, err := range errs {
		if err != nil {
			t.Errorf("worker %d Run: %v", w, err)
		}
	}
	if len(handled) != total {
		t.Fatalf("distinct messages handled: got %d, want %d", len(handled), total)
	}
	for seq, n := range handled {
		if n != 1 {
			t.Errorf("stream sequence %d handled %d times, want 1", seq, n)
		}
	}
	for w, n := range perWorker {
		if n == 0 {
			t.Errorf("worker %d handled no message, want a share of %d", w, total)
		}
	}
}

func TestIntegrationRestartKeepsPosition(t *testing.T) {
	f := startFeed(t)
	publishN(t, f.js, 3)
	c := newTestConsumer(t, f.js, ConsumerConfig{})
	runUntil(t, c, nil, func(ds []Delivery) bool { return len(ds) == 2 })
	f.stop()

	f.start(t)
	info, err := f.js.Stream(context.Background(), StreamName)
	if err != nil {
		t.Fatalf("stream after restart: %v", err)
	}
	if got := info.CachedInfo().State.Msgs; got != 3 {
		t.Errorf("messages after restart: got %d, want 3", got)
	}

	c = newTestConsumer(t, f.js, ConsumerConfig{})
	got := runUntil(t, c, nil, func(ds []Delivery) bool { return len(ds) == 1 })
	if diff := cmp.Diff([]uint64{3}, seqs(got)); diff != "" {
		t.Errorf("stream sequences after restart (-want +got):\n%s", diff)
	}
}

func TestIntegrationWaitIdle(t *testing.T) {
	f := startFeed(t)
	c := newTestConsumer(t, f.js, ConsumerConfig{})

	t.Run("empty subject", func(t *testing.T) {
		if err := c.WaitIdle(context.Background()); err != nil {
			t.Errorf("got %v, want nil", err)
		}
	})

	publishN(t, f.js, 10)

	t.Run("no worker", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if err := c.WaitIdle(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v, want %v", err, context.DeadlineExceeded)
		}
	})

	t.Run("worker running", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		var mu sync.Mutex
		handled := 0
		done := make(chan error)
		go func() {
			done <- c.Run(ctx, func(context.Context, Delivery) error {
				mu.Lock()
				handled++
				mu.Unlock()
				return nil
			})
		}()

		waitCtx, waitCancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer waitCancel()
		err := c.WaitIdle(waitCtx)
		mu.Lock()
		got := handled
		mu.Unlock()
		cancel()
		if runErr := <-done; runErr != nil {
			t.Errorf("Run: %v", runErr)
		}
		if err != nil {
			t.Fatalf("WaitIdle: %v", err)
		}
		if got != 10 {
			t.Errorf("handled before WaitIdle returned: got %d, want 10", got)
		}
	})
}

func TestNakDelay(t *testing.T) {
	tests := []struct {
		name         string
		backoff      []time.Duration
		numDelivered uint64
		want         time.Duration
	}{
		{"default first", nil, 1, time.Second},
		{"default third", nil, 3, 4 * time.Second},
		{"default capped", nil, 40, time.Minute},
		{"default zero count", nil, 0, time.Second},
		{"backoff first", []time.Duration{time.Second, 5 * time.Second}, 1, time.Second},
		{"backoff second", []time.Duration{time.Second, 5 * time.Second}, 2, 5 * time.Second},
		{"backoff last repeats", []time.Duration{time.Second, 5 * time.Second}, 9, 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Consumer{cfg: ConsumerConfig{Backoff: tt.backoff}}
			if got := c.nakDelay(tt.numDelivered); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestConsumerConfigValidate(t *testing.T) {
	valid := ConsumerConfig{Durable: "hl7-a-lab", FilterSubject: testSubject}
	tests := []struct {
		name    string
		edit    func(*ConsumerConfig)
		wantErr bool
	}{
		{"valid", func(*ConsumerConfig) {}, false},
		{"missing durable", func(c *ConsumerConfig) { c.Durable = "" }, true},
		{"missing filter", func(c *ConsumerConfig) { c.FilterSubject = "" }, true},
		{"negative ack wait", func(c *ConsumerConfig) { c.AckWait = -time.Second }, true},
		{"max deliver below -1", func(c *ConsumerConfig) { c.MaxDeliver = -2 }, true},
		{"backoff longer than max deliver", func(c *ConsumerConfig) {
			c.MaxDeliver = 1
			c.Backoff = []time.Duration{time.Second, time.Second}
		}, true},
		{"zero backoff", func(c *ConsumerConfig) { c.Backoff = []time.Duration{0} }, true},
		{"negative batch", func(c *ConsumerConfig) { c.BatchSize = -1 }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.edit(&cfg)
			err := cfg.withDefaults().validate()
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Errorf("got error %v, want error %t", err, tt.wantErr)
			}
		})
	}
}

func TestDeliveryLogValueOmitsData(t *testing.T) {
	d := Delivery{Data: []byte("PID|1||MRN123"), Subject: testSubject, StreamSeq: 7, NumDelivered: 1}
	got := d.LogValue().String()
	if want := "MRN123"; strings.Contains(got, want) {
		t.Errorf("got log value %q, want no message data", got)
	}
	if !strings.Contains(got, "stream_seq=7") {
		t.Errorf("got log value %q, want stream_seq=7", got)
	}
}
