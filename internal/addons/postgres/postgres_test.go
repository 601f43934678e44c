package postgres

import (
	"testing"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/addons"
)

func TestProvider(t *testing.T) {
	p := Provider{}
	i := addons.Instance{Name: "hello-postgres", Plan: p.Plans()[0], Password: "ABC234"}
	if got, want := p.URL(i, paas.Endpoint{Host: "172.17.0.1", Port: 16000}), "postgres://app:ABC234@172.17.0.1:16000/app?sslmode=disable"; got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
	j := p.Job(i)
	if j.Image != Image || j.Env["PAAS_ADDON_PASSWORD"] != "ABC234" || j.ContainerPort != 5432 || j.KillSignal != "SIGINT" || j.Memory != 256 {
		t.Errorf("Job = %+v", j)
	}
	if p.Plans()[0].Name != addons.DefaultPlan || p.Attachment() != "DATABASE" {
		t.Errorf("plans %v, attachment %s", p.Plans(), p.Attachment())
	}
}
