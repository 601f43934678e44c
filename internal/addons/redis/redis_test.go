package redis

import (
	"testing"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/addons"
)

func TestProvider(t *testing.T) {
	p := Provider{}
	i := addons.Instance{Name: "hello-redis", Plan: p.Plans()[0], Password: "ABC234"}
	if got, want := p.URL(i, paas.Endpoint{Host: "172.17.0.1", Port: 16001}), "redis://default:ABC234@172.17.0.1:16001/0"; got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
	j := p.Job(i)
	if j.Image != Image || j.Env["PAAS_ADDON_PASSWORD"] != "ABC234" || j.ContainerPort != 6379 || j.MountPath != "/data" {
		t.Errorf("Job = %+v", j)
	}
	if _, ok := any(p).(addons.Backuper); ok || p.Attachment() != "REDIS" {
		t.Errorf("redis must have no backups and attach as REDIS")
	}
}
