package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
)

// IdempotencyStore keeps the first response to each Idempotency-Key.
type IdempotencyStore interface {
	ClaimIdempotencyKey(ctx context.Context, user, key string, hash []byte) (*paas.IdempotentResponse, error)
	SaveIdempotentResponse(ctx context.Context, user, key string, r paas.IdempotentResponse) error
	ReleaseIdempotencyKey(ctx context.Context, user, key string) error
}

// maxIdempotentBody bounds a response kept for replay.
const maxIdempotentBody = 1 << 20

// idempotency honours Idempotency-Key on POSTs: the first request with a
// key runs; a retry of the same request (same user, route and body) gets the
// first response again, marked Idempotent-Replayed; the same key with a
// different request is refused. Server errors are not kept, so they can be
// retried. Streaming routes (one-off runs) are left alone, and so are
// answers that hold a secret shown once (new tokens, users, webhooks),
// which must not be stored.
func idempotency(store IdempotencyStore) gin.HandlerFunc {
	return func(c *gin.Context) {
		key := c.GetHeader("Idempotency-Key")
		if store == nil || key == "" || c.Request.Method != http.MethodPost || strings.HasSuffix(c.FullPath(), "/runs") ||
			answersWithSecret(c) {
			c.Next()
			return
		}
		if err := validIdempotencyKey(key); err != nil {
			c.Error(err)
			c.Abort()
			return
		}
		body, err := io.ReadAll(c.Request.Body)
		if err != nil {
			c.Error(paas.Errorf(paas.EINVALID, "could not read the request body: %v", err))
			c.Abort()
			return
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		user := currentUser(c).Name
		h := sha256.Sum256([]byte(c.Request.Method + " " + c.Request.URL.Path + "\n" + string(body)))
		stored, err := store.ClaimIdempotencyKey(c.Request.Context(), user, key, h[:])
		switch {
		case err != nil:
			c.Error(err)
			c.Abort()
		case stored != nil:
			c.Header("Idempotent-Replayed", "true")
			c.Data(stored.Status, stored.ContentType, stored.Body)
			c.Abort()
		default:
			runAndKeep(c, store, user, key)
		}
	}
}

// runAndKeep runs the handler and keeps its response for replay.
func runAndKeep(c *gin.Context, store IdempotencyStore, user, key string) {
	rec := &recordingWriter{ResponseWriter: c.Writer}
	c.Writer = rec
	c.Next()
	ctx := context.WithoutCancel(c.Request.Context())
	status := rec.Status()
	if status >= 500 || rec.overflow {
		store.ReleaseIdempotencyKey(ctx, user, key)
		return
	}
	store.SaveIdempotentResponse(ctx, user, key, paas.IdempotentResponse{
		Status: status, ContentType: rec.Header().Get("Content-Type"), Body: rec.body.Bytes()})
}

func validIdempotencyKey(key string) error {
	if len(key) > 255 {
		return paas.Errorf(paas.EINVALID, "Idempotency-Key is longer than 255 characters; use a UUID")
	}
	for _, r := range key {
		if r < 0x21 || r > 0x7e {
			return paas.Errorf(paas.EINVALID, "Idempotency-Key may hold only printable ASCII; use a UUID")
		}
	}
	return nil
}

// recordingWriter copies what a handler writes, up to maxIdempotentBody.
type recordingWriter struct {
	gin.ResponseWriter
	body     bytes.Buffer
	overflow bool
}

func (w *recordingWriter) Write(p []byte) (int, error) {
	if w.body.Len()+len(p) > maxIdempotentBody {
		w.overflow = true
	} else {
		w.body.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

func (w *recordingWriter) WriteString(s string) (int, error) { return w.Write([]byte(s)) }
