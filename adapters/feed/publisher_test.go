package feed

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

func TestIntegrationPublishDeduplicates(t *testing.T) {
	f := startFeed(t)
	pub := NewPublisher(f.js)
	ctx := context.Background()
	first := []byte("MSH|^~\\&|ADT|HOSP|||20240501||ADT^A01|CTRL1|P|2.5\r")
	second := []byte("MSH|^~\\&|ADT|HOSP|||20240501||ADT^A01|CTRL2|P|2.5\r")

	tests := []struct {
		name string
		data []byte
		want PublishResult
	}{
		{"first", first, PublishResult{Sequence: 1}},
		{"same data again", first, PublishResult{Sequence: 1, Duplicate: true}},
		{"other data", second, PublishResult{Sequence: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pub.Publish(ctx, testSubject, tt.data)
			if err != nil {
				t.Fatalf("Publish: %v", err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}

	stream, err := f.js.Stream(ctx, StreamName)
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	if got := stream.CachedInfo().State.Msgs; got != 2 {
		t.Errorf("stored messages: got %d, want 2", got)
	}
}

func TestIntegrationPublishRejects(t *testing.T) {
	f := startFeed(t)
	pub := NewPublisher(f.js)

	t.Run("too large", func(t *testing.T) {
		_, err := pub.Publish(context.Background(), testSubject, make([]byte, MaxMessageSize+1))
		if err == nil {
			t.Errorf("got nil error, want size error")
		}
	})
	t.Run("subject outside stream", func(t *testing.T) {
		_, err := pub.Publish(context.Background(), "other.subject", []byte("MSH|"))
		if !errors.Is(err, jetstream.ErrNoStreamResponse) {
			t.Errorf("got %v, want %v", err, jetstream.ErrNoStreamResponse)
		}
	})
}

func TestIntegrationEnsureStream(t *testing.T) {
	f := startFeed(t)
	ctx := context.Background()

	stream, err := EnsureStream(ctx, f.js, StreamConfig{MaxAge: time.Hour})
	if err != nil {
		t.Fatalf("EnsureStream update: %v", err)
	}
	cfg := stream.CachedInfo().Config
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"subjects", cfg.Subjects[0], "ehrbridge.hl7.>"},
		{"storage", cfg.Storage, jetstream.FileStorage},
		{"retention", cfg.Retention, jetstream.LimitsPolicy},
		{"max age", cfg.MaxAge, time.Hour},
		{"duplicate window", cfg.Duplicates, DefaultDuplicateWindow},
		{"max message size", cfg.MaxMsgSize, int32(MaxMessageSize)},
		{"replicas", cfg.Replicas, 1},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}
}

func TestStreamConfigInvalid(t *testing.T) {
	tests := []struct {
		name string
		cfg  StreamConfig
	}{
		{"negative max age", StreamConfig{MaxAge: -time.Hour}},
		{"window above max age", StreamConfig{MaxAge: time.Minute, DuplicateWindow: time.Hour}},
		{"replicas above 5", StreamConfig{Replicas: 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.cfg.jetstreamConfig(); err == nil {
				t.Errorf("got nil error, want config error")
			}
		})
	}
}
