package pipeline

import (
	"context"
	"fmt"

	"github.com/ehrbridge/ehrbridge/adapters/hl7"
	"github.com/ehrbridge/ehrbridge/transform"
)

// HandleHL7 processes one HL7 v2 message from a feed source. key identifies
// the message in the feed (for example its stream sequence). It returns an
// error only when the record must be retried; a message that cannot be
// parsed, mapped or validated is dead-lettered and returns nil.
func (p *Pipeline) HandleHL7(ctx context.Context, source string, mappings *transform.Set, key string, data []byte) (RecordResult, error) {
	msg, err := hl7.Parse(data)
	if err != nil {
		return p.reject(ctx, source, key, data, fmt.Sprintf("invalid HL7 v2 message: %v", err))
	}
	if id := msg.ControlID(); id != "" && len(id) <= 64 {
		key = fmt.Sprintf("%s (MSH-10 %s)", key, id)
	}
	matched := mappings.ForMessage(msg.Type())
	if len(matched) == 0 {
		p.Logger.Debug("no mapping for message type", "tenant", p.Tenant, "source", source,
			"source_key", key, "message_type", msg.Type())
		return RecordResult{Outcome: NotMapped}, nil
	}
	var outputs []transform.Output
	for _, m := range matched {
		out, err := m.MapMessage(msg, p.Versions)
		if err != nil {
			return p.commit(ctx, source, key, data, nil, nil, err)
		}
		outputs = append(outputs, out...)
	}
	writes, err := p.buildWrites(outputs, source, key)
	return p.commit(ctx, source, key, data, writes, nil, err)
}
