package addons

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gitpaas/paas"
)

// Destroy stops the named add-on and deletes it with its data. When app is
// not "", the add-on must belong to app. It refuses while the add-on is
// attached, unless force, which detaches it from every app first (each
// detach makes a release). The add-on's backups stay, so that they can
// still be restored into another add-on.
func (s *Service) Destroy(ctx context.Context, app, name string, force bool, user *paas.User, out io.Writer) error {
	unlock := s.lock(name)
	defer unlock()
	a, err := s.store.GetAddon(ctx, name)
	if err != nil {
		return err
	}
	if app != "" && a.App != app {
		return notOwner(a, app)
	}
	if len(a.Attachments) > 0 && !force {
		return paas.Errorf(paas.ECONFLICT, "add-on %s is attached to %s; detach it first (paas addons:detach %s -a %s), or destroy it anyway with --force",
			name, describeAttachments(a.Attachments), name, a.Attachments[0].App)
	}
	for _, app := range attachedApps(a.Attachments) {
		fmt.Fprintf(out, "Detaching %s from %s\n", name, app)
		if _, err := s.Detach(ctx, name, app, user, out); err != nil {
			return err
		}
	}
	if err := s.runner.DestroyAddon(ctx, name); err != nil {
		return fmt.Errorf("stop add-on %s: %w", name, err)
	}
	if err := s.store.DeleteAddon(ctx, name); err != nil {
		return err
	}
	if err := os.RemoveAll(s.dataDir(name)); err != nil {
		s.logger.Warn("remove add-on data", "addon", name, "error", err)
	}
	s.logger.Info("add-on destroyed", "addon", name, "type", a.Type)
	return nil
}

// describeAttachments says "hello (DATABASE_URL), other (ANALYTICS_URL)".
func describeAttachments(ts []paas.AddonAttachment) string {
	parts := make([]string, 0, len(ts))
	for _, t := range ts {
		parts = append(parts, fmt.Sprintf("%s (%s)", t.App, t.ConfigVar))
	}
	return strings.Join(parts, ", ")
}

// attachedApps lists the apps of ts once each, in order.
func attachedApps(ts []paas.AddonAttachment) []string {
	var apps []string
	for _, t := range ts {
		if len(apps) == 0 || apps[len(apps)-1] != t.App {
			apps = append(apps, t.App)
		}
	}
	return apps
}

// notOwner is the error of destroying add-on a from app, which does not
// own it.
func notOwner(a *paas.Addon, app string) error {
	if a.App == "" {
		return paas.Errorf(paas.EFORBIDDEN, "add-on %s belongs to no app any more (its app was destroyed); a platform admin can destroy it", a.Name)
	}
	return paas.Errorf(paas.EFORBIDDEN, "add-on %s belongs to %s, not %s; destroy it from there: paas addons:destroy %s -a %s", a.Name, a.App, app, a.Name, a.App)
}
