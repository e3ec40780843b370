package feed

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go/jetstream"
)

const (
	// StreamName is the JetStream stream that carries HL7 v2 messages.
	StreamName = "EHRBRIDGE_HL7"
	// SubjectPrefix starts every HL7 subject: ehrbridge.hl7.<tenant>.<source>.
	SubjectPrefix = "ehrbridge.hl7"
	// MaxMessageSize is the largest HL7 message the stream accepts, in bytes.
	MaxMessageSize = 1 << 20

	// DefaultMaxAge is how long the stream keeps messages for replay.
	DefaultMaxAge = 7 * 24 * time.Hour
	// DefaultDuplicateWindow is how long the stream remembers message ids to
	// drop a republished message.
	DefaultDuplicateWindow = 2 * time.Minute
)

// StreamConfig sets the tunable parts of the HL7 stream. Zero values select
// the defaults.
type StreamConfig struct {
	// MaxAge is how long messages stay in the stream. Default [DefaultMaxAge].
	MaxAge time.Duration
	// DuplicateWindow is how long message ids are remembered for
	// de-duplication. Default [DefaultDuplicateWindow].
	DuplicateWindow time.Duration
	// Replicas is the number of copies in a cluster. Default 1, which is the
	// only valid value for the embedded server.
	Replicas int
}

// Subject returns the subject for HL7 messages of one tenant and source,
// ehrbridge.hl7.<tenant>.<source>. It panics when a token is invalid, so
// configuration must be checked with [ValidateToken] first.
func Subject(tenant, source string) string {
	mustValidateTokens(tenant, source)
	return SubjectPrefix + "." + tenant + "." + source
}

// DurableName returns the durable consumer name for one tenant and source,
// hl7-<tenant>-<source>. Like [Subject], it panics when a token is invalid.
func DurableName(tenant, source string) string {
	mustValidateTokens(tenant, source)
	return "hl7-" + tenant + "-" + source
}

// ValidateToken checks that a tenant or source id can be used as one subject
// token: non-empty and free of '.', '*', '>', whitespace and control
// characters. Field names the configuration field in the error.
func ValidateToken(field, token string) error {
	if token == "" {
		return fmt.Errorf("%w: %s is empty", ErrInvalidToken, field)
	}
	if i := strings.IndexFunc(token, isReservedSubjectRune); i >= 0 {
		r, _ := utf8.DecodeRuneInString(token[i:])
		return fmt.Errorf("%w: %s %q contains %q at byte %d: use letters, digits, '-' or '_'",
			ErrInvalidToken, field, token, r, i)
	}
	return nil
}

func mustValidateTokens(tenant, source string) {
	if err := errors.Join(ValidateToken("tenant", tenant), ValidateToken("source", source)); err != nil {
		panic("feed: " + err.Error())
	}
}

func isReservedSubjectRune(r rune) bool {
	switch r {
	case '.', '*', '>', ' ', '\t', '\r', '\n', '\f', '\v':
		return true
	}
	return r < 0x20 || r == 0x7f
}

// EnsureStream creates the HL7 stream, or updates an existing one to cfg.
// The stream keeps messages by age (limits retention) in file storage, so an
// operator can replay them after they are acknowledged.
func EnsureStream(ctx context.Context, js jetstream.JetStream, cfg StreamConfig) (jetstream.Stream, error) {
	streamCfg, err := cfg.jetstreamConfig()
	if err != nil {
		return nil, err
	}
	stream, err := js.CreateOrUpdateStream(ctx, streamCfg)
	if err != nil {
		return nil, fmt.Errorf("ensure stream %s: %w", StreamName, err)
	}
	return stream, nil
}

func (cfg StreamConfig) jetstreamConfig() (jetstream.StreamConfig, error) {
	maxAge := cfg.MaxAge
	if maxAge == 0 {
		maxAge = DefaultMaxAge
	}
	window := cfg.DuplicateWindow
	if window == 0 {
		window = DefaultDuplicateWindow
	}
	replicas := cfg.Replicas
	if replicas == 0 {
		replicas = 1
	}

	switch {
	case maxAge < 0:
		return jetstream.StreamConfig{}, fmt.Errorf("ensure stream %s: MaxAge %s is negative", StreamName, maxAge)
	case window < 0:
		return jetstream.StreamConfig{}, fmt.Errorf("ensure stream %s: DuplicateWindow %s is negative", StreamName, window)
	case window > maxAge:
		return jetstream.StreamConfig{}, fmt.Errorf("ensure stream %s: DuplicateWindow %s exceeds MaxAge %s",
			StreamName, window, maxAge)
	case replicas < 1 || replicas > 5:
		return jetstream.StreamConfig{}, fmt.Errorf("ensure stream %s: Replicas %d is out of range 1-5", StreamName, replicas)
	}

	return jetstream.StreamConfig{
		Name:        StreamName,
		Description: "HL7 v2 messages for ehrbridge, by tenant and source",
		Subjects:    []string{SubjectPrefix + ".>"},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxAge:      maxAge,
		Duplicates:  window,
		MaxMsgSize:  MaxMessageSize,
		Replicas:    replicas,
	}, nil
}
