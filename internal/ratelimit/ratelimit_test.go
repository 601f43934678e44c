package ratelimit

import (
	"strconv"
	"testing"
	"time"
)

func TestLimiterRefills(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	l := New(Rate{Burst: 2, Every: 10 * time.Second}, func() time.Time { return now })
	for i, want := range []bool{true, true, false} {
		if ok, _ := l.Take("k"); ok != want {
			t.Errorf("take %d = %v; want %v", i+1, ok, want)
		}
	}
	if _, wait := l.Take("k"); wait != 10*time.Second {
		t.Errorf("retry after %v; want 10s", wait)
	}
	now = now.Add(10 * time.Second)
	if ok, _ := l.Take("k"); !ok {
		t.Error("no attempt after a refill period")
	}
	if ok, _ := l.Take("other"); !ok {
		t.Error("keys share a bucket")
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	for wait, want := range map[time.Duration]int{0: 1, 10 * time.Millisecond: 1, time.Second: 1, 1500 * time.Millisecond: 2, 20 * time.Second: 20} {
		if got := RetryAfterSeconds(wait); got != want {
			t.Errorf("RetryAfterSeconds(%s) = %d; want %d", wait, got, want)
		}
	}
}

func TestFullLimiterFailsClosed(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	l := New(Rate{Burst: 1, Every: time.Minute}, func() time.Time { return now })
	for i := range maxBuckets {
		l.Take(strconv.Itoa(i))
	}
	if ok, _ := l.Take("one too many"); ok {
		t.Error("a full limiter took a new key while every bucket was spent")
	}
	now = now.Add(time.Minute)
	if ok, _ := l.Take("one too many"); !ok {
		t.Error("refilled buckets were not forgotten to make room")
	}
}
