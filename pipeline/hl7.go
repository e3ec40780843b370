package pipeline

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

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
	if !utf8.Valid(data) {
		msg, err = decodeCharset(msg, data)
		if err != nil {
			return p.reject(ctx, source, key, data, err.Error())
		}
	}
	if id := msg.ControlID(); id != "" && len(id) <= 64 {
		key = fmt.Sprintf("%s (MSH-10 %s)", key, id)
	}
	matched := mappings.ForMessage(msg.Type())
	if len(matched) == 0 {
		p.Logger.Info("message type has no mapping; acknowledged without resources", "tenant", p.Tenant,
			"source", source, "source_key", key, "message_type", msg.Type())
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

// decodeCharset re-reads a message that is not valid UTF-8 in the single-byte
// character set its MSH-18 names. Without such a declaration the message is
// rejected, because guessing would store misspelt names.
func decodeCharset(msg *hl7.Message, data []byte) (*hl7.Message, error) {
	charset := strings.ToUpper(strings.TrimSpace(msg.Get(hl7.MustParsePath("MSH-18"))))
	switch charset {
	case "8859/1", "ISO-8859-1", "ISO_8859-1", "LATIN1":
		decoded := make([]rune, 0, len(data))
		for _, b := range data {
			decoded = append(decoded, rune(b)) // ISO 8859-1 bytes are the first 256 code points
		}
		return hl7.Parse([]byte(string(decoded)))
	}
	if charset == "" {
		charset = "not set"
	}
	return nil, fmt.Errorf("invalid HL7 v2 message: bytes are not valid UTF-8 and MSH-18 (character set) is %s: send UTF-8, or declare 8859/1 in MSH-18 for Latin-1", charset)
}
