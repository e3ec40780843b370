package feed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// DefaultHost is the interface the embedded server listens on when
// [EmbeddedOptions.Host] is empty.
const DefaultHost = "127.0.0.1"

// readyTimeout bounds how long [StartEmbedded] waits for the server to accept
// clients, which includes recovering streams from the store directory.
const readyTimeout = 30 * time.Second

// EmbeddedOptions configures the in-process NATS server.
type EmbeddedOptions struct {
	// StoreDir is the directory that holds the JetStream file store. Required.
	StoreDir string
	// Host is the interface to listen on. Default [DefaultHost]. Only loopback
	// addresses are accepted unless AllowNonLoopback is true.
	Host string
	// AllowNonLoopback permits a Host that is not a loopback address.
	AllowNonLoopback bool
	// Port is the client port. 0 picks a free port; set 4222 explicitly for
	// the NATS default.
	Port int
	// Users are the only clients the server accepts. The feed carries
	// patient data, so set them whenever other users share the machine.
	// None disables authentication.
	Users []EmbeddedUser
	// Logger receives the server's log lines: notices and debug lines at
	// Debug, warnings and errors at Warn, fatal errors at Error. Default: no
	// logging.
	Logger *slog.Logger
}

// Embedded is a running in-process NATS server with JetStream enabled.
type Embedded struct {
	server *server.Server
}

// StartEmbedded starts a NATS server with JetStream inside this process and
// waits until it accepts clients. The server installs no signal handlers and
// writes nothing to stdout.
func StartEmbedded(opts EmbeddedOptions) (*Embedded, error) {
	serverOpts, err := opts.serverOptions()
	if err != nil {
		return nil, err
	}

	s, err := server.NewServer(serverOpts)
	if err != nil {
		return nil, fmt.Errorf("start embedded nats: %w", err)
	}
	if opts.Logger != nil {
		debug := opts.Logger.Enabled(context.Background(), slog.LevelDebug)
		s.SetLoggerV2(&serverLogger{log: opts.Logger}, debug, false, false)
	}

	s.Start()
	if !s.ReadyForConnections(readyTimeout) {
		s.Shutdown()
		s.WaitForShutdown()
		return nil, fmt.Errorf("start embedded nats: not ready for connections after %s", readyTimeout)
	}
	if !s.JetStreamEnabled() {
		s.Shutdown()
		s.WaitForShutdown()
		return nil, errors.New("start embedded nats: jetstream failed to start; check that StoreDir is writable")
	}
	return &Embedded{server: s}, nil
}

// ClientURL returns the URL clients connect to, for example
// "nats://127.0.0.1:4222".
func (e *Embedded) ClientURL() string {
	return e.server.ClientURL()
}

// Shutdown stops the server and waits until it has stopped and flushed its
// store.
func (e *Embedded) Shutdown() {
	e.server.Shutdown()
	e.server.WaitForShutdown()
}

func (opts EmbeddedOptions) serverOptions() (*server.Options, error) {
	if opts.StoreDir == "" {
		return nil, errors.New("start embedded nats: StoreDir is missing: set a directory for the jetstream store")
	}

	host := opts.Host
	if host == "" {
		host = DefaultHost
	}
	if !opts.AllowNonLoopback && !isLoopback(host) {
		return nil, fmt.Errorf("start embedded nats: Host %q is not a loopback address: "+
			"use 127.0.0.1 or set AllowNonLoopback", host)
	}

	port := opts.Port
	if port == 0 {
		port = server.RANDOM_PORT
	}
	if port < server.RANDOM_PORT || port > 65535 {
		return nil, fmt.Errorf("start embedded nats: Port %d is out of range 0-65535", opts.Port)
	}

	return &server.Options{
		Host:      host,
		Port:      port,
		JetStream: true,
		StoreDir:  opts.StoreDir,
		NoLog:     true,
		NoSigs:    true,
		Users:     opts.serverUsers(),
		// MaxPayload equals the stream's maximum message size.
		MaxPayload: MaxMessageSize,
	}, nil
}

// EmbeddedUser is a client account of the embedded server.
type EmbeddedUser struct {
	Name     string
	Password string
	// PublishOnly, when set, limits the user to publishing on these
	// subjects and to receiving replies under InboxPrefix(Name), so an
	// HL7 sender can neither read the stream nor see other clients'
	// deliveries. Nil gives full access.
	PublishOnly []string
}

// InboxPrefix returns the reply subject prefix a publish-only user must
// set with nats.CustomInboxPrefix.
func InboxPrefix(user string) string { return "_INBOX_" + user }

func (opts EmbeddedOptions) serverUsers() []*server.User {
	var users []*server.User
	for _, u := range opts.Users {
		su := &server.User{Username: u.Name, Password: u.Password}
		if u.PublishOnly != nil {
			su.Permissions = &server.Permissions{
				Publish:   &server.SubjectPermission{Allow: u.PublishOnly},
				Subscribe: &server.SubjectPermission{Allow: []string{InboxPrefix(u.Name) + ".>"}},
			}
		}
		users = append(users, su)
	}
	return users
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// serverLogger routes nats-server log lines to slog. The server logs
// connection and stream events, never message payloads, because tracing
// stays off.
type serverLogger struct {
	log *slog.Logger
}

func (l *serverLogger) Noticef(format string, v ...any) { l.emit(slog.LevelDebug, format, v) }
func (l *serverLogger) Warnf(format string, v ...any)   { l.emit(slog.LevelWarn, format, v) }
func (l *serverLogger) Fatalf(format string, v ...any)  { l.emit(slog.LevelError, format, v) }
func (l *serverLogger) Errorf(format string, v ...any)  { l.emit(slog.LevelWarn, format, v) }
func (l *serverLogger) Debugf(format string, v ...any)  { l.emit(slog.LevelDebug, format, v) }
func (l *serverLogger) Tracef(format string, v ...any)  { l.emit(slog.LevelDebug, format, v) }

func (l *serverLogger) emit(level slog.Level, format string, v []any) {
	l.log.Log(context.Background(), level, fmt.Sprintf(format, v...), "component", "nats-server")
}
