// Package feed carries HL7 v2 messages over NATS JetStream, from the MLLP
// listener or another publisher to the pipeline that maps and stores them.
//
// Messages live in one stream, [StreamName], on subjects
// ehrbridge.hl7.<tenant>.<source> (see [Subject]). [EnsureStream] configures
// it explicitly: file storage, limits retention by age so messages can be
// replayed after they are acknowledged, a duplicate window, and a 1 MiB
// message limit.
//
// [Publisher] sets the message id to the SHA-256 of the message, so the
// stream drops a retried publish of the same bytes inside the duplicate
// window.
//
// [Consumer] reads one durable pull consumer with explicit acks. The handler
// commits a message's record, then Run acks it and waits for the server's
// confirmation. A crash between the commit and the ack makes the server
// deliver the message again, with the same stream sequence and a higher
// NumDelivered. So the handler must be idempotent, which the store's
// identical-content and stale-write rules provide. Any number of Consumers with the same durable
// name share the messages.
//
// [StartEmbedded] runs a NATS server with JetStream inside the process for
// the demo and for tests. Production points a client at an external cluster
// and sets [StreamConfig.Replicas].
package feed
