package router

import (
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
)

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr bool
	}{
		{"zero value", Options{}, false},
		{"custom domain", Options{Domain: "apps.example.com"}, false},
		{"domain in upper case with dot", Options{Domain: "Apps.Example.COM."}, false},
		{"all set", Options{Domain: "localhost", HealthInterval: time.Second, HealthTimeout: time.Second,
			UnhealthyThreshold: 3, HealthyThreshold: 2, ResponseHeaderTimeout: time.Minute, DialTimeout: time.Second}, false},
		{"domain with space", Options{Domain: "my apps.com"}, true},
		{"domain with empty label", Options{Domain: "apps..com"}, true},
		{"domain of dots", Options{Domain: "..."}, true},
		{"domain with port", Options{Domain: "localhost:8080"}, true},
		{"negative interval", Options{HealthInterval: -time.Second}, true},
		{"negative timeout", Options{HealthTimeout: -1}, true},
		{"negative response timeout", Options{ResponseHeaderTimeout: -1}, true},
		{"negative dial timeout", Options{DialTimeout: -1}, true},
		{"negative threshold", Options{UnhealthyThreshold: -1}, true},
		{"limits set", Options{MaxConcurrent: 10, RateLimit: 0.5, RateBurst: 1, MaxBodyBytes: 1 << 10,
			BodyReadTimeout: time.Second, MaxHeaderBytes: 8 << 10, ReadHeaderTimeout: time.Second, IdleTimeout: time.Minute}, false},
		{"limits off", Options{MaxConcurrent: Unlimited, RateLimit: Unlimited, MaxBodyBytes: Unlimited}, false},
		{"negative max concurrent", Options{MaxConcurrent: -2}, true},
		{"negative rate limit", Options{RateLimit: -0.5}, true},
		{"negative rate burst", Options{RateBurst: -1}, true},
		{"negative max body", Options{MaxBodyBytes: -100}, true},
		{"negative body timeout", Options{BodyReadTimeout: -1}, true},
		{"negative max header bytes", Options{MaxHeaderBytes: -1}, true},
		{"negative read header timeout", Options{ReadHeaderTimeout: -1}, true},
		{"negative idle timeout", Options{IdleTimeout: -1}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.opts.Validate()
			if (err != nil) != tc.wantErr {
				t.Fatalf("Validate() = %v, want error %v", err, tc.wantErr)
			}
			if err != nil && paas.ErrorCode(err) != paas.EINVALID {
				t.Errorf("error code = %q, want %q", paas.ErrorCode(err), paas.EINVALID)
			}
		})
	}
}

func TestOptionsDefaults(t *testing.T) {
	want := Options{
		Domain:                DefaultDomain,
		HealthInterval:        DefaultHealthInterval,
		HealthTimeout:         DefaultHealthTimeout,
		UnhealthyThreshold:    DefaultUnhealthyThreshold,
		HealthyThreshold:      DefaultHealthyThreshold,
		ResponseHeaderTimeout: DefaultResponseHeaderTimeout,
		DialTimeout:           DefaultDialTimeout,
		MaxConcurrent:         DefaultMaxConcurrent,
		RateLimit:             DefaultRateLimit,
		RateBurst:             DefaultRateBurst,
		MaxBodyBytes:          DefaultMaxBodyBytes,
		BodyReadTimeout:       DefaultBodyReadTimeout,
		MaxHeaderBytes:        DefaultMaxHeaderBytes,
		ReadHeaderTimeout:     DefaultReadHeaderTimeout,
		IdleTimeout:           DefaultIdleTimeout,
		DrainTimeout:          DefaultDrainTimeout,
	}
	if diff := cmp.Diff(want, Options{}.withDefaults()); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, Options{HealthInterval: -1, HealthyThreshold: -3}.withDefaults()); diff != "" {
		t.Errorf("unusable values are replaced by defaults (-want +got):\n%s", diff)
	}
	off := Options{MaxConcurrent: Unlimited, RateLimit: Unlimited, MaxBodyBytes: Unlimited}.withDefaults()
	if off.MaxConcurrent != Unlimited || off.RateLimit != Unlimited || off.MaxBodyBytes != Unlimited {
		t.Errorf("Unlimited was replaced by a default: %+v", off)
	}
	if got := (Options{Domain: "Apps.Example.COM."}).withDefaults().Domain; got != "apps.example.com" {
		t.Errorf("domain = %q, want it normalized", got)
	}
}
