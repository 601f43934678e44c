// Package webhooks tells HTTP endpoints about apps' build and release
// events. Events are queued in the store and sent by a background loop,
// signed with HMAC-SHA256, retried with exponential backoff, and logged per
// delivery, so a receiver that is down for a while misses nothing.
package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/gitpaas/paas"
)

// Defaults of Options.
const (
	DefaultMaxAttempts = 6
	DefaultTimeout     = 10 * time.Second
	DefaultInterval    = time.Second
)

// Store queues and records deliveries.
type Store interface {
	CreateWebhook(ctx context.Context, w *paas.Webhook) (*paas.Webhook, error)
	ListWebhooks(ctx context.Context, app string) ([]*paas.Webhook, error)
	DeleteWebhook(ctx context.Context, app string, id int64) error
	ListDeliveries(ctx context.Context, app string, id int64, limit int) ([]*paas.Delivery, error)
	EnqueueDeliveries(ctx context.Context, app, event string, payload []byte) (int, error)
	ClaimDueDeliveries(ctx context.Context, limit int, lease time.Duration) ([]*paas.Delivery, error)
	FinishDelivery(ctx context.Context, id int64, status string, code int, errMsg string, retryAt time.Time) error
}

// Options configure a Service.
type Options struct {
	// AllowPrivate lets webhooks point at loopback, private and link-local
	// addresses. Off by default: a webhook must not reach into the
	// platform's own network (or a cloud metadata service).
	AllowPrivate bool
	MaxAttempts  int
	Timeout      time.Duration
	Interval     time.Duration
}

// Service manages webhooks and sends their deliveries.
type Service struct {
	store  Store
	opts   Options
	client *http.Client
	logger *slog.Logger
}

// New returns a Service.
func New(store Store, opts Options, logger *slog.Logger) *Service {
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	return &Service{store: store, opts: opts, client: newClient(opts), logger: logger}
}

// Create adds a webhook for app and returns it with its secret, which is
// shown this once.
func (s *Service) Create(ctx context.Context, app string, user *paas.User, url string, events []string) (*paas.Webhook, error) {
	if err := validateURL(url, s.opts.AllowPrivate); err != nil {
		return nil, err
	}
	if len(events) == 0 {
		events = paas.WebhookEvents
	}
	for _, e := range events {
		if !slices.Contains(paas.WebhookEvents, e) {
			return nil, paas.Errorf(paas.EINVALID, "unknown event %q; the events are %v", clip(e), paas.WebhookEvents)
		}
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	return s.store.CreateWebhook(ctx, &paas.Webhook{App: app, URL: url, Events: events,
		Secret: "whsec_" + hex.EncodeToString(secret), CreatedBy: user.Name})
}

// List, Delete and Deliveries pass through to the store.
func (s *Service) List(ctx context.Context, app string) ([]*paas.Webhook, error) {
	return s.store.ListWebhooks(ctx, app)
}

// Delete removes a webhook.
func (s *Service) Delete(ctx context.Context, app string, id int64) error {
	return s.store.DeleteWebhook(ctx, app, id)
}

// Deliveries lists a webhook's newest deliveries.
func (s *Service) Deliveries(ctx context.Context, app string, id int64) ([]*paas.Delivery, error) {
	return s.store.ListDeliveries(ctx, app, id, 100)
}

// payload is the body of every delivery.
type payload struct {
	Event     string    `json:"event"`
	App       string    `json:"app"`
	CreatedAt time.Time `json:"created_at"`
	Data      any       `json:"data"`
}

// Notify queues event for app's webhooks. It never fails its caller: a
// deploy must not fail because a notification could not be queued.
func (s *Service) Notify(ctx context.Context, app, event string, data any) {
	// The pipeline also reports events only the log shows (a build
	// starting, a drift repair); no webhook can subscribe to those, so they
	// cost no write.
	if !slices.Contains(paas.WebhookEvents, event) {
		return
	}
	body, err := json.Marshal(payload{Event: event, App: app, CreatedAt: time.Now().UTC(), Data: data})
	if err == nil {
		_, err = s.store.EnqueueDeliveries(context.WithoutCancel(ctx), app, event, body)
	}
	if err != nil {
		s.logger.Warn("queue webhook deliveries", "app", app, "event", event, "error", err)
	}
}
