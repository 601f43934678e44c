package logbus

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
)

func TestBus(t *testing.T) {
	b := New()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	follow := b.Follow(ctx, "hello")
	b.Notify(ctx, "hello", paas.EventReleaseSucceeded, map[string]any{"version": 3, "description": "Deploy abc", "by": "admin"})
	b.Publish("other", "not for hello")
	select {
	case l := <-follow:
		if l.Source != "paas" || !strings.Contains(l.Text, "Release v3 is live") {
			t.Errorf("followed line = %+v", l)
		}
	case <-time.After(time.Second):
		t.Fatal("no line followed")
	}
	for i := range keep + 5 {
		b.Publish("hello", strings.Repeat("x", i%3))
	}
	if got := b.Recent("hello", 1000); len(got) != keep {
		t.Errorf("kept %d lines; want %d", len(got), keep)
	}
	if got := b.Recent("nope", 10); len(got) != 0 {
		t.Errorf("lines of an unknown app: %v", got)
	}
}
