package feed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// Publisher publishes HL7 messages to the HL7 stream.
type Publisher struct {
	js jetstream.JetStream
}

// PublishResult is the stream's acknowledgement of one publish.
type PublishResult struct {
	// Sequence is the message's stream sequence. For a duplicate it is the
	// sequence of the message stored first.
	Sequence uint64
	// Duplicate is true when the stream already held the same data within its
	// duplicate window and stored nothing new.
	Duplicate bool
}

// NewPublisher returns a Publisher that publishes through js.
func NewPublisher(js jetstream.JetStream) *Publisher {
	return &Publisher{js: js}
}

// MessageID returns the Nats-Msg-Id that [Publisher.Publish] sets for data:
// the hex SHA-256 of data.
func MessageID(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Publish stores data on subject in the HL7 stream and waits for the stream's
// acknowledgement. The message id is [MessageID] of data, so publishing the
// same bytes again within the duplicate window stores nothing new: a sender
// can retry a publish whose acknowledgement was lost. HL7 senders give each
// message its own MSH-10 (message control id), so distinct messages get
// distinct ids.
func (p *Publisher) Publish(ctx context.Context, subject string, data []byte) (PublishResult, error) {
	if len(data) > MaxMessageSize {
		return PublishResult{}, fmt.Errorf("publish to %s: message of %d bytes exceeds the maximum of %d bytes",
			subject, len(data), MaxMessageSize)
	}

	ack, err := p.js.Publish(ctx, subject, data,
		jetstream.WithMsgID(MessageID(data)),
		jetstream.WithExpectStream(StreamName))
	if err != nil {
		return PublishResult{}, fmt.Errorf("publish to %s: %w", subject, err)
	}
	return PublishResult{Sequence: ack.Sequence, Duplicate: ack.Duplicate}, nil
}
