package postgres_test

import (
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestDomains(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ctx := t.Context()
	for _, app := range []string{"hello", "other"} {
		if _, err := db.CreateApp(ctx, app, "alice"); err != nil {
			t.Fatal(err)
		}
	}
	expires := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	www := &paas.Domain{Hostname: "www.example.com", App: "hello", CertPEM: "CERT", KeyPEM: "KEY",
		CertNotAfter: expires, CertSelfSigned: true, CreatedBy: "alice"}
	if _, err := db.CreateDomain(ctx, www); err != nil {
		t.Fatal(err)
	}
	taken := *www
	taken.App = "other"
	_, err := db.CreateDomain(ctx, &taken)
	checkCode(t, err, paas.ECONFLICT)
	noApp := *www
	noApp.App, noApp.Hostname = "nope", "a.example.com"
	_, err = db.CreateDomain(ctx, &noApp)
	checkCode(t, err, paas.ENOTFOUND)

	listed, err := db.ListDomains(ctx, "hello")
	if err != nil {
		t.Fatal(err)
	}
	want := []*paas.Domain{{Hostname: "www.example.com", App: "hello", CertNotAfter: expires, CertSelfSigned: true, CreatedBy: "alice"}}
	if diff := cmp.Diff(want, listed, cmpopts.IgnoreFields(paas.Domain{}, "CreatedAt")); diff != "" {
		t.Errorf("ListDomains (-want +got):\n%s", diff)
	}
	all, err := db.AllDomains(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]*paas.Domain{www}, all, cmpopts.IgnoreFields(paas.Domain{}, "CreatedAt")); diff != "" {
		t.Errorf("AllDomains (-want +got):\n%s", diff)
	}

	checkCode(t, db.DeleteDomain(ctx, "other", "www.example.com"), paas.ENOTFOUND)
	checkCode(t, db.DeleteDomain(ctx, "nope", "www.example.com"), paas.ENOTFOUND)
	checkCode(t, db.DeleteDomain(ctx, "hello", "www.example.com"), "")
	if all, _ := db.AllDomains(ctx); len(all) != 0 {
		t.Errorf("after delete: %v", all)
	}
}

func TestDomainsGoWithTheirApp(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ctx := t.Context()
	if _, err := db.CreateApp(ctx, "hello", "alice"); err != nil {
		t.Fatal(err)
	}
	d := &paas.Domain{Hostname: "www.example.com", App: "hello", CertPEM: "C", KeyPEM: "K", CertNotAfter: time.Now(), CreatedBy: "alice"}
	if _, err := db.CreateDomain(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteApp(ctx, "hello"); err != nil {
		t.Fatal(err)
	}
	all, err := db.AllDomains(ctx)
	if err != nil || len(all) != 0 {
		t.Errorf("AllDomains after the app's destroy = %v, %v", all, err)
	}
}
