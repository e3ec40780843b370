package feed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

const (
	// DefaultAckWait is how long the server waits for an ack before it
	// redelivers a message.
	DefaultAckWait = 30 * time.Second

	// fetchWait bounds one pull request, so Run notices a cancelled context
	// and the server drops the request soon after.
	fetchWait = 5 * time.Second
	// ackTimeout bounds the wait for the server to confirm an ack. It runs
	// on its own deadline, because a record that is already committed must
	// still be acked while Run's context is being cancelled.
	ackTimeout = 5 * time.Second
	// firstNakDelay and maxNakDelay set the default redelivery delay after a
	// handler error, which is firstNakDelay doubled per delivery up to
	// maxNakDelay.
	firstNakDelay = time.Second
	maxNakDelay   = time.Minute
	// maxFetchRetryDelay caps the pause between failed pull requests.
	maxFetchRetryDelay = 5 * time.Second
)

// ConsumerConfig configures a durable pull consumer on the HL7 stream.
type ConsumerConfig struct {
	// Stream is the stream name. Default [StreamName].
	Stream string
	// Durable is the durable consumer name, shared by every worker that
	// splits the same feed, for example [DurableName] of tenant and source.
	// Required.
	Durable string
	// FilterSubject selects the messages, for example [Subject] of tenant and
	// source. Required.
	FilterSubject string
	// AckWait is how long the server waits for an ack before it redelivers.
	// Default [DefaultAckWait]. When Backoff is set, the server uses
	// Backoff[0] instead.
	AckWait time.Duration
	// MaxDeliver is the maximum number of deliveries of one message.
	// Default -1 (unlimited), so a long outage of the store never drops a
	// message from the feed.
	MaxDeliver int
	// Backoff lists the redelivery delays by delivery count, the last one
	// repeating. The server applies it to ack timeouts, and Run applies it
	// to handler errors. Default: none, so ack timeouts use AckWait and
	// handler errors wait 1s doubled per delivery, at most 1 minute.
	Backoff []time.Duration
	// BatchSize is the maximum number of messages fetched per pull request
	// and held unacked by one Run. Default 1.
	BatchSize int
	// Logger receives warnings and per-message debug lines. Default: no
	// logging.
	Logger *slog.Logger
}

// Delivery is one delivered HL7 message. Data contains patient data, so
// [Delivery.LogValue] leaves it out.
type Delivery struct {
	Data         []byte
	Subject      string
	StreamSeq    uint64
	NumDelivered uint64
	MsgID        string
	Published    time.Time
}

// LogValue returns the delivery's ids without its data.
func (d Delivery) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Uint64("stream_seq", d.StreamSeq),
		slog.String("subject", d.Subject),
		slog.Uint64("num_delivered", d.NumDelivered),
	)
}

// Consumer runs a handler over the messages of one durable pull consumer.
// Several Consumers with the same Durable, in one process or many, share
// the messages: each message goes to one of them at a time.
type Consumer struct {
	stream   jetstream.Stream
	consumer jetstream.Consumer
	cfg      ConsumerConfig
	log      *slog.Logger
	warnings *logLimiter
}

// NewConsumer creates the durable consumer, or updates it to cfg, with
// explicit acks and delivery from the first message of the stream.
func NewConsumer(ctx context.Context, js jetstream.JetStream, cfg ConsumerConfig) (*Consumer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}

	stream, err := js.Stream(ctx, cfg.Stream)
	if err != nil {
		return nil, fmt.Errorf("create consumer %s: look up stream %s: %w", cfg.Durable, cfg.Stream, err)
	}
	consumer, err := stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       cfg.Durable,
		Description:   "ehrbridge HL7 feed consumer",
		FilterSubject: cfg.FilterSubject,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       cfg.AckWait,
		MaxDeliver:    cfg.MaxDeliver,
		BackOff:       cfg.Backoff,
	})
	if err != nil {
		return nil, fmt.Errorf("create consumer %s on stream %s: %w", cfg.Durable, cfg.Stream, err)
	}

	log := cfg.Logger.With("consumer", cfg.Durable)
	return &Consumer{
		stream:   stream,
		consumer: consumer,
		cfg:      cfg,
		log:      log,
		warnings: newLogLimiter(log, warningsPerMinute, time.Minute),
	}, nil
}

func (cfg ConsumerConfig) withDefaults() ConsumerConfig {
	if cfg.Stream == "" {
		cfg.Stream = StreamName
	}
	if cfg.AckWait == 0 {
		cfg.AckWait = DefaultAckWait
	}
	if cfg.MaxDeliver == 0 {
		cfg.MaxDeliver = -1
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 1
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg
}

func (cfg ConsumerConfig) validate() error {
	var errs []error
	if cfg.Durable == "" {
		errs = append(errs, errors.New("durable name is missing: set Durable, for example to hl7-<tenant>-<source>"))
	}
	if cfg.FilterSubject == "" {
		errs = append(errs, errors.New("filter subject is missing: set FilterSubject, for example to ehrbridge.hl7.<tenant>.<source>"))
	}
	if cfg.AckWait < 0 {
		errs = append(errs, fmt.Errorf("ack wait %s is negative: set AckWait to 0 for the default or a positive duration", cfg.AckWait))
	}
	if cfg.MaxDeliver < -1 {
		errs = append(errs, fmt.Errorf("max deliver %d is invalid: set MaxDeliver to -1 for unlimited or a positive count", cfg.MaxDeliver))
	}
	if cfg.MaxDeliver > 0 && len(cfg.Backoff) > cfg.MaxDeliver {
		errs = append(errs, fmt.Errorf("backoff has %d delays but MaxDeliver is %d: list at most MaxDeliver delays",
			len(cfg.Backoff), cfg.MaxDeliver))
	}
	for i, d := range cfg.Backoff {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("backoff delay %d (%s) is not positive: use durations above 0", i, d))
		}
	}
	if cfg.BatchSize < 0 {
		errs = append(errs, fmt.Errorf("batch size %d is negative: set BatchSize to 0 for the default or a positive count", cfg.BatchSize))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid consumer config: %w", err)
	}
	return nil
}

// Run fetches messages and calls handle for each, one at a time, in the order
// the server delivers them. A message whose handle returns nil is acked, and
// Run waits for the server to confirm the ack. A message whose handle returns
// an error is negatively acked with a delay and comes back later, possibly
// after messages published after it. So handle must tolerate out-of-order and
// repeated records, which the store does by keeping the newest source time
// and ignoring identical content.
//
// Run returns nil once ctx is cancelled and the message in progress is
// finished. Messages fetched but not yet started are released to other
// consumers. Run returns an error when the connection is closed or the
// consumer is deleted; it retries other fetch errors.
func (c *Consumer) Run(ctx context.Context, handle func(ctx context.Context, d Delivery) error) error {
	retryDelay := 10 * time.Millisecond
	for ctx.Err() == nil {
		err := c.runBatch(ctx, handle)
		switch {
		case err == nil:
			retryDelay = 10 * time.Millisecond
			continue
		case ctx.Err() != nil:
			return nil
		case isFatalFetchError(err):
			return fmt.Errorf("consume %s: %w", c.cfg.Durable, err)
		}

		c.warnings.Warn("fetch failed; retrying", "err", err, "retry_in", retryDelay)
		if !sleep(ctx, retryDelay) {
			return nil
		}
		retryDelay = min(2*retryDelay, maxFetchRetryDelay)
	}
	return nil
}

func (c *Consumer) runBatch(ctx context.Context, handle func(ctx context.Context, d Delivery) error) error {
	fetchCtx, cancel := context.WithTimeout(ctx, fetchWait)
	defer cancel()

	batch, err := c.consumer.Fetch(c.cfg.BatchSize, jetstream.FetchContext(fetchCtx))
	if err != nil {
		return err
	}
	for msg := range batch.Messages() {
		if ctx.Err() != nil {
			c.release(msg)
			continue
		}
		c.handleMessage(ctx, msg, handle)
	}

	err = batch.Error()
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func (c *Consumer) handleMessage(
	ctx context.Context,
	msg jetstream.Msg,
	handle func(ctx context.Context, d Delivery) error,
) {
	meta, err := msg.Metadata()
	if err != nil {
		c.warnings.Warn("message without jetstream metadata; terminating it", "subject", msg.Subject(), "err", err)
		_ = msg.Term()
		return
	}
	d := Delivery{
		Data:         msg.Data(),
		Subject:      msg.Subject(),
		StreamSeq:    meta.Sequence.Stream,
		NumDelivered: meta.NumDelivered,
		MsgID:        msg.Headers().Get(jetstream.MsgIDHeader),
		Published:    meta.Timestamp,
	}
	if d.NumDelivered > 1 {
		c.warnings.Warn("message redelivered", "stream_seq", d.StreamSeq, "num_delivered", d.NumDelivered)
	}

	stopProgress := c.keepInProgress(msg)
	err = handle(ctx, d)
	stopProgress()

	if err != nil {
		c.nak(ctx, msg, d, err)
		return
	}
	c.ack(ctx, msg, d)
}

// ack waits for the server to confirm the ack under its own deadline, which
// outlives ctx: the record is already committed and must not be left unacked
// by a shutdown.
func (c *Consumer) ack(ctx context.Context, msg jetstream.Msg, d Delivery) {
	ackCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
	defer cancel()

	if err := msg.DoubleAck(ackCtx); err != nil {
		c.warnings.Warn("ack failed; the message will be redelivered",
			"stream_seq", d.StreamSeq, "num_delivered", d.NumDelivered, "err", err)
		return
	}
	c.log.Debug("message acked", "stream_seq", d.StreamSeq)
}

func (c *Consumer) nak(ctx context.Context, msg jetstream.Msg, d Delivery, handleErr error) {
	delay := c.nakDelay(d.NumDelivered)
	if ctx.Err() != nil {
		// Shutting down: hand the message to another consumer at once.
		delay = 0
	}
	if c.cfg.MaxDeliver > 0 && d.NumDelivered >= uint64(c.cfg.MaxDeliver) {
		c.log.Error("handler failed on the last allowed delivery; the consumer will not deliver this message again",
			"stream_seq", d.StreamSeq, "num_delivered", d.NumDelivered, "err", handleErr)
	} else {
		c.warnings.Warn("handler failed; message will be redelivered",
			"stream_seq", d.StreamSeq, "num_delivered", d.NumDelivered, "retry_in", delay, "err", handleErr)
	}

	if err := msg.NakWithDelay(delay); err != nil {
		c.warnings.Warn("nak failed; the message will be redelivered after the ack wait",
			"stream_seq", d.StreamSeq, "err", err)
	}
}

// release returns a fetched but unhandled message to the server for
// immediate redelivery.
func (c *Consumer) release(msg jetstream.Msg) {
	if err := msg.Nak(); err != nil {
		c.log.Debug("release of unhandled message failed; it will be redelivered after the ack wait", "err", err)
	}
}

// nakDelay returns Backoff by delivery count when set, else firstNakDelay
// doubled per delivery and capped at maxNakDelay.
func (c *Consumer) nakDelay(numDelivered uint64) time.Duration {
	numDelivered = max(numDelivered, 1)
	if n := len(c.cfg.Backoff); n > 0 {
		return c.cfg.Backoff[min(numDelivered, uint64(n))-1]
	}
	delay := firstNakDelay
	for i := uint64(1); i < numDelivered && delay < maxNakDelay; i++ {
		delay *= 2
	}
	return min(delay, maxNakDelay)
}

// keepInProgress sends the server an in-progress ack every half ack wait while
// the message is being handled, so a slow commit does not cause a second delivery to
// another consumer. The returned function stops it.
func (c *Consumer) keepInProgress(msg jetstream.Msg) func() {
	interval := c.cfg.AckWait
	for _, d := range c.cfg.Backoff {
		interval = min(interval, d)
	}
	interval = max(interval/2, time.Millisecond)

	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		ticker := time.NewTicker(interval)
		defer ticker.Stop()
		for {
			select {
			case <-done:
				return
			case <-ticker.C:
				_ = msg.InProgress()
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
	}
}

// WaitIdle returns once every message stored on the filter subject before the
// call is acked, or once ctx is done. Messages that reached MaxDeliver count
// as finished.
func (c *Consumer) WaitIdle(ctx context.Context) error {
	last, err := c.stream.GetLastMsgForSubject(ctx, c.cfg.FilterSubject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("wait for consumer %s: read last message of %s: %w", c.cfg.Durable, c.cfg.FilterSubject, err)
	}

	pause := 2 * time.Millisecond
	for {
		info, err := c.consumer.Info(ctx)
		if err != nil {
			return fmt.Errorf("wait for consumer %s: %w", c.cfg.Durable, err)
		}
		if isIdle(info, last.Sequence) {
			return nil
		}
		if !sleep(ctx, pause) {
			return fmt.Errorf("wait for consumer %s to ack stream sequence %d: %w",
				c.cfg.Durable, last.Sequence, ctx.Err())
		}
		pause = min(2*pause, 100*time.Millisecond)
	}
}

// isIdle reports whether every message up to stream sequence target is acked:
// the ack floor has reached it, or everything up to it was delivered and no
// ack is pending.
func isIdle(info *jetstream.ConsumerInfo, target uint64) bool {
	if info.AckFloor.Stream >= target {
		return true
	}
	return info.Delivered.Stream >= target && info.NumAckPending == 0
}

func isFatalFetchError(err error) bool {
	return errors.Is(err, nats.ErrConnectionClosed) ||
		errors.Is(err, jetstream.ErrConsumerDeleted) ||
		errors.Is(err, jetstream.ErrConsumerNotFound) ||
		errors.Is(err, jetstream.ErrStreamNotFound)
}

// sleep pauses for d and reports false if ctx ends first.
func sleep(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}
