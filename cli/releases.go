package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/gitpaas/paas"
	"github.com/spf13/cobra"
)

// defaultNum is how many builds or releases a listing shows by default.
const defaultNum = 15

func newReleasesCmd(e *env) *cobra.Command {
	var f appFlags
	var num int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "releases",
		Short: "List the releases of an app, newest first; * marks the current one",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if num < 1 {
				return usageErrorf("--num must be at least 1")
			}
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			return e.listReleases(cmd.Context(), app, num, asJSON)
		},
	}
	f.register(cmd)
	cmd.Flags().IntVarP(&num, "num", "n", defaultNum, "how many releases to show")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the releases as JSON")
	return cmd
}

func (e *env) listReleases(ctx context.Context, app string, num int, asJSON bool) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	list, err := c.Releases().List(ctx, app)
	if err != nil {
		return err
	}
	list = list[:min(num, len(list))]
	if asJSON {
		return printJSON(e.stdout, list)
	}
	if len(list) == 0 {
		fmt.Fprintf(e.stdout, "%s has no releases yet; deploy with: git push %s main\n", app, defaultRemote)
		return nil
	}
	t := newTable(e.stdout, " ", "VERSION", "STATUS", "DESCRIPTION", "BY", "CREATED")
	for _, r := range list {
		t.row(currentMark(r.Current), version(r.Version), r.Status, orDash(r.Description), orDash(r.CreatedBy), ago(e.now(), r.CreatedAt))
	}
	return t.flush()
}

func currentMark(current bool) string {
	if current {
		return "*"
	}
	return " "
}

func newReleasesInfoCmd(e *env) *cobra.Command {
	var f appFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "releases:info [VERSION]",
		Short: "Show a release (v3 or 3); the current one by default",
		Args:  argNames(nil, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := versionArg(args)
			if err != nil {
				return err
			}
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			return e.releaseInfo(cmd.Context(), app, v, asJSON)
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the release as JSON")
	return cmd
}

// versionArg parses an optional release version such as v3 or 3; zero
// means none was given.
func versionArg(args []string) (int, error) {
	if len(args) == 0 {
		return 0, nil
	}
	v, err := strconv.Atoi(strings.TrimPrefix(strings.ToLower(args[0]), "v"))
	if err != nil || v < 1 {
		return 0, usageErrorf("release version %q is not a version such as v3", clip(args[0]))
	}
	return v, nil
}

func (e *env) releaseInfo(ctx context.Context, app string, v int, asJSON bool) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	var rel *paas.Release
	if v == 0 {
		rel, err = e.currentRelease(ctx, c.Releases().List, app)
	} else {
		rel, err = c.Releases().Get(ctx, app, v)
	}
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, rel)
	}
	return printRelease(e, rel)
}

// currentRelease returns the release serving app, else its newest.
func (e *env) currentRelease(ctx context.Context, list func(context.Context, string) ([]paas.Release, error), app string) (*paas.Release, error) {
	releases, err := list(ctx, app)
	if err != nil {
		return nil, err
	}
	if len(releases) == 0 {
		return nil, fmt.Errorf("%s has no releases yet; deploy with: git push %s main", app, defaultRemote)
	}
	for i := range releases {
		if releases[i].Current {
			return &releases[i], nil
		}
	}
	return &releases[0], nil
}

func printRelease(e *env, r *paas.Release) error {
	fmt.Fprintf(e.stdout, "=== Release %s of %s\n", version(r.Version), r.App)
	pairs := []string{
		"Status", string(r.Status),
		"Current", yesNo(r.Current),
		"Reason", orDash(string(r.Reason)),
		"Description", orDash(r.Description),
		"Image", orDash(r.Image),
		"Build", buildRef(r.BuildID),
		"By", orDash(r.CreatedBy),
		"Created", stamp(r.CreatedAt),
	}
	pairs = append(pairs, formationFields(r.Spec.Formation)...)
	pairs = append(pairs,
		"Config vars", orDash(strings.Join(r.ConfigKeys, ", ")),
		"Health", healthCheck(r.Spec.Health),
	)
	if len(r.Spec.ReleaseCommand) > 0 {
		pairs = append(pairs, "Release cmd", shellJoin(r.Spec.ReleaseCommand))
	}
	if r.Error != "" {
		pairs = append(pairs, "Error", r.Error)
	}
	return fields(e.stdout, pairs...)
}

// formationFields shows one process type a line: "web=2 (./web --port 80)".
func formationFields(formation []paas.Process) []string {
	if len(formation) == 0 {
		return []string{"Formation", "-"}
	}
	var pairs []string
	for i, p := range formation {
		key := ""
		if i == 0 {
			key = "Formation"
		}
		value := fmt.Sprintf("%s=%d", p.Type, p.Count)
		if len(p.Command) > 0 {
			value += " (" + shellJoin(p.Command) + ")"
		}
		pairs = append(pairs, key, value)
	}
	return pairs
}

// healthCheck shows the web health check: "/healthz every 10s, timeout 2s".
func healthCheck(h paas.HealthCheck) string {
	if h.Path == "" {
		return "-"
	}
	s := h.Path
	if h.Interval > 0 {
		s += " every " + h.Interval.String()
	}
	if h.Timeout > 0 {
		s += ", timeout " + h.Timeout.String()
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func buildRef(id int64) string {
	if id == 0 {
		return "-"
	}
	return strconv.FormatInt(id, 10)
}
