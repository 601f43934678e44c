package addons

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"

	"github.com/gitpaas/paas"
)

// Attach gives app the named add-on under the name as (default: the
// provider's, such as DATABASE): it sets <as>_URL through a release, like
// config:set. When that release fails, the attachment is undone.
func (s *Service) Attach(ctx context.Context, name, app, as string, user *paas.User, out io.Writer) (*Change, error) {
	a, err := s.store.GetAddon(ctx, name)
	if err != nil {
		return nil, err
	}
	if a.State != paas.AddonAvailable {
		return nil, paas.Errorf(paas.ECONFLICT, "add-on %s is still being created; try again when paas addons:info %s says available", name, name)
	}
	p, _, err := s.instance(a)
	if err != nil {
		return nil, err
	}
	as = cmp.Or(as, p.Attachment())
	if err := s.checkAttachable(ctx, app, as); err != nil {
		return nil, err
	}
	return s.attach(ctx, a, app, as, user, out)
}

// attach records the attachment and sets its config var.
func (s *Service) attach(ctx context.Context, a *paas.Addon, app, as string, user *paas.User, out io.Writer) (*Change, error) {
	url, err := s.url(a)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.CreateAttachment(ctx, a.Name, app, as, user.Name); err != nil {
		return nil, err
	}
	r, _, err := s.config.SetConfig(ctx, app, user, map[string]*string{paas.AttachmentVar(as): &url}, out)
	if err != nil {
		if derr := s.store.DeleteAttachment(context.WithoutCancel(ctx), app, as); derr != nil {
			s.logger.Error("undo attachment", "addon", a.Name, "app", app, "error", derr)
		}
		return nil, err
	}
	s.logger.Info("add-on attached", "addon", a.Name, "app", app, "config_var", paas.AttachmentVar(as))
	a, err = s.store.GetAddon(ctx, a.Name)
	return &Change{Addon: a, Release: r}, err
}

// checkAttachable reports why app cannot get an attachment named as: the
// app does not exist, the name is not valid, or the config var it would
// set is taken (by hand or by another attachment), which attaching would
// overwrite.
func (s *Service) checkAttachable(ctx context.Context, app, as string) error {
	if err := paas.ValidateAttachmentName(as); err != nil {
		return err
	}
	cfg, err := s.store.GetConfig(ctx, app)
	if err != nil {
		return err
	}
	v := paas.AttachmentVar(as)
	if _, taken := cfg[v]; taken {
		return paas.Errorf(paas.ECONFLICT, "app %s already has the config var %s; attach under another name with --as NAME (for NAME_URL), or unset it first with: paas config:unset %s -a %s", app, v, v, app)
	}
	return nil
}

// Detach takes the named add-on away from app: it unsets the config vars
// of its attachments through a release, then forgets them. The add-on and
// its data stay.
func (s *Service) Detach(ctx context.Context, name, app string, user *paas.User, out io.Writer) (*Change, error) {
	a, err := s.store.GetAddon(ctx, name)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, t := range a.Attachments {
		if t.App == app {
			names = append(names, t.Name)
		}
	}
	if len(names) == 0 {
		if _, err := s.store.GetConfig(ctx, app); err != nil {
			return nil, err
		}
		return nil, paas.Errorf(paas.ENOTFOUND, "add-on %s is not attached to %s; see: paas addons -a %s", name, app, app)
	}
	r, err := s.unsetVars(ctx, app, names, user, out)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if err := s.store.DeleteAttachment(ctx, app, n); err != nil {
			return nil, err
		}
	}
	s.logger.Info("add-on detached", "addon", name, "app", app)
	a, err = s.store.GetAddon(ctx, name)
	return &Change{Addon: a, Release: r}, err
}

// unsetVars unsets the config vars of the attachments named names that
// app still has; it makes no release when it has none of them.
func (s *Service) unsetVars(ctx context.Context, app string, names []string, user *paas.User, out io.Writer) (*paas.Release, error) {
	cfg, err := s.store.GetConfig(ctx, app)
	if err != nil {
		return nil, err
	}
	changes := map[string]*string{}
	for _, n := range names {
		if _, ok := cfg[paas.AttachmentVar(n)]; ok {
			changes[paas.AttachmentVar(n)] = nil
		}
	}
	if len(changes) == 0 {
		return nil, nil
	}
	r, _, err := s.config.SetConfig(ctx, app, user, changes, out)
	return r, err
}

// ProvisionDeclared makes sure app has an add-on of each of types (from
// its app.yml) attached under the provider's attachment name, and returns
// the config vars that reach them, for the release being pushed. It is
// called with the app's release lock held, so it records attachments
// without making a release: the pushed release carries the vars. A type
// whose config var the app already sets by hand is left alone.
func (s *Service) ProvisionDeclared(ctx context.Context, app string, types []string, config map[string]string, createdBy string, out io.Writer) (map[string]string, error) {
	attached, err := s.store.ListAddons(ctx, app)
	if err != nil {
		return nil, err
	}
	vars := map[string]string{}
	for _, typ := range types {
		v, url, err := s.declared(ctx, app, typ, attached, config, createdBy, out)
		if err != nil {
			return nil, err
		}
		if url != "" && config[v] != url {
			vars[v] = url
		}
	}
	return vars, nil
}

// declared returns the config var and URL of app's add-on of type typ,
// provisioning and attaching one when there is none. An empty URL means
// the app sets the var by hand.
func (s *Service) declared(ctx context.Context, app, typ string, attached []*paas.Addon, config map[string]string, createdBy string, out io.Writer) (string, string, error) {
	p, err := s.providers.Provider(typ)
	if err != nil {
		return "", "", err
	}
	v := paas.AttachmentVar(p.Attachment())
	if a := attachedAs(attached, app, p.Attachment()); a != nil {
		if a.Type != typ {
			fmt.Fprintf(out, "-----> %s comes from the %s add-on %s; app.yml's %s is not provisioned\n", v, a.Type, a.Name, typ)
			return v, "", nil
		}
		url, err := s.url(a)
		return v, url, err
	}
	if _, byHand := config[v]; byHand {
		fmt.Fprintf(out, "-----> %s is set; app.yml's %s add-on is not provisioned\n", v, typ)
		return v, "", nil
	}
	fmt.Fprintf(out, "-----> app.yml declares %s; provisioning an add-on\n", typ)
	a, err := s.provisionFor(ctx, p, app, createdBy, indent(out))
	if err != nil {
		return "", "", err
	}
	url, err := s.url(a)
	return v, url, err
}

// provisionFor provisions a default add-on of p for app and attaches it
// without a release.
func (s *Service) provisionFor(ctx context.Context, p Provider, app, createdBy string, out io.Writer) (*paas.Addon, error) {
	pl, err := plan(p, "")
	if err != nil {
		return nil, err
	}
	name, err := s.newName(ctx, "", app, p.Name())
	if err != nil {
		return nil, err
	}
	a, err := s.provision(ctx, p, pl, app, name, createdBy, out)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.CreateAttachment(ctx, a.Name, app, p.Attachment(), createdBy); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "Attached %s to %s as %s\n", a.Name, app, paas.AttachmentVar(p.Attachment()))
	return a, nil
}

// attachedAs returns the add-on attached to app under name, if any.
func attachedAs(addons []*paas.Addon, app, name string) *paas.Addon {
	for _, a := range addons {
		for _, t := range a.Attachments {
			if t.App == app && t.Name == name {
				return a
			}
		}
	}
	return nil
}

// indent starts every line written to w with seven spaces, under a
// "----->" heading.
func indent(w io.Writer) io.Writer { return &indentWriter{w: w} }

type indentWriter struct {
	w       io.Writer
	midLine bool
}

func (iw *indentWriter) Write(p []byte) (int, error) {
	var b bytes.Buffer
	for _, c := range p {
		if !iw.midLine {
			b.WriteString("       ")
			iw.midLine = true
		}
		b.WriteByte(c)
		if c == '\n' {
			iw.midLine = false
		}
	}
	_, err := iw.w.Write(b.Bytes())
	return len(p), err
}
