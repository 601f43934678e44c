package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gitpaas/paas"
)

// Headers of a delivery.
const (
	SignatureHeader = "Paas-Signature"
	EventHeader     = "Paas-Event"
	DeliveryHeader  = "Paas-Delivery"
)

// Run sends due deliveries every Interval until ctx ends.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(s.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.SendDue(ctx); err != nil && ctx.Err() == nil {
			s.logger.Warn("send webhook deliveries", "error", err)
		}
	}
}

// SendDue sends the deliveries whose time has come.
func (s *Service) SendDue(ctx context.Context) error {
	due, err := s.store.ClaimDueDeliveries(ctx, 20, 2*s.opts.Timeout)
	if err != nil {
		return err
	}
	for _, d := range due {
		s.send(ctx, d)
	}
	return nil
}

func (s *Service) send(ctx context.Context, d *paas.Delivery) {
	code, err := s.post(ctx, d)
	status, retryAt, msg := "succeeded", time.Now(), ""
	if err != nil {
		msg = err.Error()
		status, retryAt = "pending", time.Now().Add(backoff(d.Attempts))
		if d.Attempts >= s.opts.MaxAttempts {
			status = "failed"
		}
		s.logger.Info("webhook delivery failed", "webhook", d.WebhookID, "delivery", d.ID, "attempt", d.Attempts, "error", msg)
	}
	if err := s.store.FinishDelivery(context.WithoutCancel(ctx), d.ID, status, code, msg, retryAt); err != nil {
		s.logger.Warn("record webhook delivery", "delivery", d.ID, "error", err)
	}
}

// post sends one delivery; any answer but 2xx is a failure.
func (s *Service) post(ctx context.Context, d *paas.Delivery) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return 0, err
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "paas-webhooks/1")
	req.Header.Set(EventHeader, d.Event)
	req.Header.Set(DeliveryHeader, strconv.FormatInt(d.ID, 10))
	req.Header.Set(SignatureHeader, "t="+ts+",v1="+Sign(d.Secret, ts, d.Payload))
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, fmt.Errorf("the receiver answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}

// Sign is the v1 signature of a delivery: hex HMAC-SHA256 with the
// webhook's secret over "<timestamp>.<body>". Receivers recompute it and
// compare in constant time, and reject old timestamps to stop replays.
func Sign(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp + "."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// backoff is the wait after attempt n: 2s, 4s, 8s, … up to ten minutes.
func backoff(n int) time.Duration {
	return min(time.Duration(1<<min(n, 20))*time.Second, 10*time.Minute)
}
