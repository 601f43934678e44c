package postgres_test

import (
	"errors"
	"testing"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/postgres"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var ignoreAddonTimes = cmp.Options{
	cmpopts.IgnoreFields(paas.Addon{}, "ID", "CreatedAt"),
	cmpopts.IgnoreFields(paas.AddonAttachment{}, "CreatedAt"),
	cmpopts.EquateEmpty(),
}

// mustAddon records an add-on of app of type typ named name on port.
func mustAddon(t *testing.T, db *postgres.DB, app, name, typ string, port int) *paas.Addon {
	t.Helper()
	a, err := db.CreateAddon(t.Context(), &paas.Addon{App: app, Name: name, Type: typ, Plan: "dev", Port: port, Password: "pw-" + name, CreatedBy: "admin"})
	if err != nil {
		t.Fatalf("CreateAddon(%q): %v", name, err)
	}
	return a
}

func TestAddons(t *testing.T) {
	db := newDB(t)
	ctx := t.Context()
	mustApp(t, db, "hello")
	mustApp(t, db, "other")
	pg := mustAddon(t, db, "hello", "hello-postgres", "postgres", 16000)
	want := &paas.Addon{Name: "hello-postgres", Type: "postgres", Plan: "dev", App: "hello", State: paas.AddonCreating,
		Port: 16000, Password: "pw-hello-postgres", CreatedBy: "admin"}
	if diff := cmp.Diff(want, pg, ignoreAddonTimes); diff != "" {
		t.Fatalf("CreateAddon mismatch (-want +got):\n%s", diff)
	}
	checkRecent(t, "CreatedAt", pg.CreatedAt)

	t.Run("name and port are unique", func(t *testing.T) {
		_, err := db.CreateAddon(ctx, &paas.Addon{App: "hello", Name: "hello-postgres", Type: "redis", Plan: "dev", Port: 16001, Password: "x", CreatedBy: "admin"})
		checkCode(t, err, paas.ECONFLICT)
		_, err = db.CreateAddon(ctx, &paas.Addon{App: "hello", Name: "hello-redis", Type: "redis", Plan: "dev", Port: 16000, Password: "x", CreatedBy: "admin"})
		if !errors.Is(err, paas.ErrAddonPortTaken) {
			t.Fatalf("CreateAddon on a taken port: %v, want ErrAddonPortTaken", err)
		}
		_, err = db.CreateAddon(ctx, &paas.Addon{App: "hello", Name: "Bad_Name", Type: "redis", Plan: "dev", Port: 16002, Password: "x", CreatedBy: "admin"})
		checkCode(t, err, paas.EINVALID)
		_, err = db.CreateAddon(ctx, &paas.Addon{App: "nope", Name: "nope-redis", Type: "redis", Plan: "dev", Port: 16002, Password: "x", CreatedBy: "admin"})
		checkCode(t, err, paas.ENOTFOUND)
	})

	t.Run("the password is sealed", func(t *testing.T) {
		var sealed []byte
		if err := db.RawForTest(ctx, `SELECT secret FROM addons WHERE name = $1`, "hello-postgres", &sealed); err != nil {
			t.Fatal(err)
		}
		if len(sealed) == 0 || string(sealed) == "pw-hello-postgres" {
			t.Errorf("secret column = %q; want sealed bytes", sealed)
		}
	})

	if err := db.MarkAddonAvailable(ctx, "hello-postgres", "172.17.0.1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateAttachment(ctx, "hello-postgres", "hello", "DATABASE", "admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateAttachment(ctx, "hello-postgres", "other", "ANALYTICS", "admin"); err != nil {
		t.Fatal(err)
	}
	mustAddon(t, db, "other", "spare-redis", "redis", 16003)

	t.Run("get with attachments", func(t *testing.T) {
		got, err := db.GetAddon(ctx, "hello-postgres")
		if err != nil {
			t.Fatal(err)
		}
		want := []paas.AddonAttachment{
			{Addon: "hello-postgres", App: "hello", Name: "DATABASE", ConfigVar: "DATABASE_URL", CreatedBy: "admin"},
			{Addon: "hello-postgres", App: "other", Name: "ANALYTICS", ConfigVar: "ANALYTICS_URL", CreatedBy: "admin"},
		}
		if diff := cmp.Diff(want, got.Attachments, ignoreAddonTimes); diff != "" {
			t.Errorf("attachments mismatch (-want +got):\n%s", diff)
		}
		if got.State != paas.AddonAvailable || got.Host != "172.17.0.1" {
			t.Errorf("state %s host %q; want available on 172.17.0.1", got.State, got.Host)
		}
	})

	t.Run("list all and per app", func(t *testing.T) {
		all, err := db.ListAddons(ctx, "")
		if err != nil || len(all) != 2 || all[0].Name != "hello-postgres" || all[1].Name != "spare-redis" {
			t.Fatalf("ListAddons(all) = %v, %v", names(all), err)
		}
		mine, err := db.ListAddons(ctx, "other")
		if err != nil || !cmp.Equal(names(mine), []string{"hello-postgres", "spare-redis"}) {
			t.Fatalf("ListAddons(other) = %v, %v; want the attached and the own", names(mine), err)
		}
		_, err = db.ListAddons(ctx, "nope")
		checkCode(t, err, paas.ENOTFOUND)
	})

	t.Run("attachment names are unique per app", func(t *testing.T) {
		_, err := db.CreateAttachment(ctx, "spare-redis", "hello", "DATABASE", "admin")
		checkCode(t, err, paas.ECONFLICT)
		_, err = db.CreateAttachment(ctx, "nope", "hello", "REDIS", "admin")
		checkCode(t, err, paas.ENOTFOUND)
		_, err = db.CreateAttachment(ctx, "spare-redis", "nope", "REDIS", "admin")
		checkMessage(t, err, `app "nope" not found; list your apps with: paas apps`)
		_, err = db.CreateAttachment(ctx, "spare-redis", "hello", "lower", "admin")
		checkCode(t, err, paas.EINVALID)
	})

	t.Run("an attached add-on cannot be deleted", func(t *testing.T) {
		checkCode(t, db.DeleteAddon(ctx, "hello-postgres"), paas.ECONFLICT)
		checkCode(t, db.DeleteAttachment(ctx, "other", "ANALYTICS"), "")
		checkCode(t, db.DeleteAttachment(ctx, "other", "ANALYTICS"), paas.ENOTFOUND)
		checkCode(t, db.DeleteAttachment(ctx, "hello", "DATABASE"), "")
		checkCode(t, db.DeleteAddon(ctx, "hello-postgres"), "")
		_, err := db.GetAddon(ctx, "hello-postgres")
		checkCode(t, err, paas.ENOTFOUND)
		checkCode(t, db.DeleteAddon(ctx, "hello-postgres"), paas.ENOTFOUND)
	})

	t.Run("destroying an app removes its attachments, not its add-ons", func(t *testing.T) {
		if _, err := db.CreateAttachment(ctx, "spare-redis", "other", "REDIS", "admin"); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteApp(ctx, "other"); err != nil {
			t.Fatal(err)
		}
		a, err := db.GetAddon(ctx, "spare-redis")
		if err != nil || len(a.Attachments) != 0 || a.App != "" {
			t.Fatalf("after the app's destroy: %+v, %v; want an add-on of no app, without attachments", a, err)
		}
	})

	ports, err := db.AddonPorts(ctx)
	if err != nil || !cmp.Equal(ports, []int{16003}) {
		t.Errorf("AddonPorts = %v, %v; want [16003]", ports, err)
	}
}

func TestBackups(t *testing.T) {
	db := newDB(t)
	ctx := t.Context()
	mustApp(t, db, "hello")
	pg := mustAddon(t, db, "hello", "hello-postgres", "postgres", 16000)
	var made []*paas.Backup
	for i, sum := range []string{"aa", "bb"} {
		b, err := db.CreateBackup(ctx, &paas.Backup{AddonID: pg.ID, Addon: pg.Name, Size: int64(100 + i), SHA256: sum, Scheduled: i == 1, CreatedBy: "admin"})
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, b)
	}
	list, err := db.ListBackups(ctx, pg.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]*paas.Backup{made[1], made[0]}, list); diff != "" {
		t.Errorf("ListBackups mismatch (-want +got):\n%s", diff)
	}
	got, err := db.GetBackup(ctx, made[0].ID)
	if err != nil || got.SHA256 != "aa" || got.Size != 100 || got.Scheduled {
		t.Errorf("GetBackup = %+v, %v", got, err)
	}
	checkCode(t, db.DeleteBackup(ctx, made[0].ID), "")
	_, err = db.GetBackup(ctx, made[0].ID)
	checkMessage(t, err, "backup "+paas.BackupLabel(made[0].ID)+" not found; list backups with: paas pg:backups")
	if err := db.DeleteAttachment(ctx, "x", "Y"); paas.ErrorCode(err) != paas.ENOTFOUND {
		t.Errorf("DeleteAttachment of a missing app: %v", err)
	}
}

func names(addons []*paas.Addon) []string {
	var out []string
	for _, a := range addons {
		out = append(out, a.Name)
	}
	return out
}
