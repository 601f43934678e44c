package webhooks

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/pgtest"
	"github.com/gitpaas/paas/internal/postgres"
	"github.com/gitpaas/paas/internal/secrets"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func TestValidateURL(t *testing.T) {
	for _, tc := range []struct {
		url          string
		allowPrivate bool
		ok           bool
	}{
		{"https://ci.example.com/hook", false, true},
		{"http://ci.example.com:8080/hook", false, true},
		{"ftp://ci.example.com/", false, false},
		{"/relative", false, false},
		{"https://user:pw@ci.example.com/", false, false},
		{"http://127.0.0.1:9000/", false, false},
		{"http://169.254.169.254/latest/meta-data", false, false},
		{"http://10.0.0.5/", false, false},
		{"http://[::1]/", false, false},
		{"http://localhost/", false, false},
		{"http://127.0.0.1:9000/", true, true},
	} {
		if err := validateURL(tc.url, tc.allowPrivate); (err == nil) != tc.ok {
			t.Errorf("validateURL(%q, %v) = %v; want ok=%v", tc.url, tc.allowPrivate, err, tc.ok)
		}
	}
}

func TestPrivateDialRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	c := newClient(Options{Timeout: time.Second})
	// A name, not an IP: the check happens at dial time, after resolution.
	_, err := c.Get(strings.Replace(srv.URL, "127.0.0.1", "localhost", 1))
	if err == nil || !strings.Contains(err.Error(), "private address") {
		t.Errorf("GET via a name of loopback: %v; want refused", err)
	}
}

func newService(t *testing.T) (*Service, *postgres.DB) {
	db, err := postgres.Open(t.Context(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	box, _ := secrets.New(bytes.Repeat([]byte{1}, 32))
	db.SetCipher(box)
	if _, err := db.CreateApp(t.Context(), "hello", "ci"); err != nil {
		t.Fatal(err)
	}
	return New(db, Options{AllowPrivate: true, MaxAttempts: 3}, slog.New(slog.DiscardHandler)), db
}

func TestDeliverSignedWithRetry(t *testing.T) {
	s, _ := newService(t)
	var mu sync.Mutex
	var got []*http.Request
	var bodies [][]byte
	fail := true
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		got, bodies = append(got, r), append(bodies, b)
		if fail {
			fail = false
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer recv.Close()
	ctx := t.Context()
	hook, err := s.Create(ctx, "hello", &paas.User{Name: "ci"}, recv.URL+"/hook", []string{paas.EventReleaseSucceeded})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hook.Secret, "whsec_") {
		t.Fatalf("secret %q", hook.Secret)
	}
	if _, err := s.Create(ctx, "hello", &paas.User{Name: "ci"}, recv.URL, []string{"nope"}); paas.ErrorCode(err) != paas.EINVALID {
		t.Errorf("unknown event accepted: %v", err)
	}
	s.Notify(ctx, "hello", paas.EventBuildFailed, nil) // not subscribed
	s.Notify(ctx, "hello", paas.EventReleaseSucceeded, map[string]int{"version": 3})
	if err := s.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(backoff(1) + 100*time.Millisecond)
	if err := s.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("receiver got %d requests; want the failed one and its retry", len(got))
	}
	r, body := got[1], bodies[1]
	sig := r.Header.Get(SignatureHeader)
	ts, v1, _ := strings.Cut(strings.TrimPrefix(sig, "t="), ",v1=")
	if v1 != Sign(hook.Secret, ts, body) || r.Header.Get(EventHeader) != paas.EventReleaseSucceeded {
		t.Errorf("signature %q does not verify over %s", sig, body)
	}
	ds, err := s.Deliveries(context.Background(), "hello", hook.ID)
	if err != nil || len(ds) != 1 || ds[0].Status != "succeeded" || ds[0].Attempts != 2 {
		t.Errorf("deliveries = %+v, %v; want one succeeded after 2 attempts", ds, err)
	}
}
