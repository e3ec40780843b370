package feed

import (
	"context"

	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func TestValidateToken(t *testing.T) {
	tests := []struct {
		name    string
		token   string
		wantErr bool
	}{
		{"plain", "tenant-a", false},
		{"guid", "72f988bf-86f1-41af-91ab-2d7cd011db47", false},
		{"empty", "", true},
		{"dot", "a.b", true},
		{"star", "a*", true},
		{"greater than", "a>", true},
		{"space", "a b", true},
		{"tab", "a\tb", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateToken("tenant", tt.token)
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Fatalf("got error %v, want error %t", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrInvalidToken) {
				t.Errorf("got %v, want it to wrap ErrInvalidToken", err)
			}
		})
	}
}

func TestSubject(t *testing.T) {
	if got, want := Subject("tenant-a", "lab"), "ehrbridge.hl7.tenant-a.lab"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := DurableName("tenant-a", "lab"), "hl7-tenant-a-lab"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestSubjectPanicsOnInvalidToken(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), "source") {
			t.Errorf("got panic %v, want one naming the source token", r)
		}
	}()
	Subject("tenant-a", "lab.*")
}

func TestStartEmbeddedRejects(t *testing.T) {
	tests := []struct {
		name string
		opts EmbeddedOptions
		want string
	}{
		{"missing store dir", EmbeddedOptions{}, "StoreDir is missing"},
		{"non-loopback host", EmbeddedOptions{StoreDir: t.TempDir(), Host: "0.0.0.0"}, "not a loopback address"},
		{"port out of range", EmbeddedOptions{StoreDir: t.TempDir(), Port: 70000}, "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := StartEmbedded(tt.opts)
			if err == nil {
				e.Shutdown()
				t.Fatalf("got nil error, want one containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestEmbeddedUsers(t *testing.T) {
	e, err := StartEmbedded(EmbeddedOptions{StoreDir: t.TempDir(), Users: []EmbeddedUser{
		{Name: "service", Password: "service-password-for-test"},
		{Name: "ingest-a", Password: "ingest-password-for-test", PublishOnly: []string{"ehrbridge.hl7.a.>"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Shutdown()

	if nc, err := nats.Connect(e.ClientURL()); err == nil {
		nc.Close()
		t.Error("connected without a password, want an authorization error")
	}
	service, err := nats.Connect(e.ClientURL(), nats.UserInfo("service", "service-password-for-test"))
	if err != nil {
		t.Fatalf("connect as the service: %v", err)
	}
	defer service.Close()
	ctx := context.Background()
	js, err := jetstream.New(service)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := EnsureStream(ctx, js, StreamConfig{}); err != nil {
		t.Fatal(err)
	}

	ingest, err := nats.Connect(e.ClientURL(), nats.UserInfo("ingest-a", "ingest-password-for-test"),
		nats.CustomInboxPrefix(InboxPrefix("ingest-a")))
	if err != nil {
		t.Fatalf("connect as the publish-only user: %v", err)
	}
	defer ingest.Close()
	ingestJS, err := jetstream.New(ingest)
	if err != nil {
		t.Fatal(err)
	}
	pub := NewPublisher(ingestJS)
	if _, err := pub.Publish(ctx, "ehrbridge.hl7.a.feed", []byte("MSH|^~\\&|own tenant")); err != nil {
		t.Errorf("publish to the user's own tenant: %v", err)
	}
	timeout, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := pub.Publish(timeout, "ehrbridge.hl7.b.feed", []byte("MSH|^~\\&|other tenant")); err == nil {
		t.Error("published to another tenant's subject, want a permission error")
	}
	if _, err := ingestJS.Stream(timeout, StreamName); err == nil {
		t.Error("read the stream's info as a publish-only user, want a permission error")
	}
}
