package cli

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gitpaas/paas/internal/apiclient"
	"github.com/spf13/cobra"
)

func newBuildsCreateCmd(e *env) *cobra.Command {
	var f appFlags
	var source string
	cmd := &cobra.Command{
		Use:   "builds:create --source DIR [-a APP]",
		Short: "Build and release a directory without git, as a push to main would",
		Long: "Upload DIR (without its .git) as a tar.gz. The platform builds and releases it exactly\n" +
			"as a git push to main, and moves main to a commit of it once it is released. The output\n" +
			"streams here; paas exits 1 when the build or the release fails. Meant for CI.",
		Example: "  paas builds:create --source . -a hello",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			app, c, err := f.resolveWithClient(cmd.Context(), e)
			if err != nil {
				return err
			}
			dir := source
			if !filepath.IsAbs(dir) {
				dir = filepath.Join(e.dir, dir)
			}
			if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
				return usageErrorf("--source %q is not a directory", source)
			}
			pr, pw := io.Pipe()
			go func() { pw.CloseWithError(writeSourceArchive(pw, dir)) }()
			err = c.Builds().CreateFromSource(cmd.Context(), app, pr, e.stdout)
			pr.Close()
			if errors.Is(err, apiclient.ErrDeployFailed) {
				return &exitError{code: ExitError}
			}
			return err
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&source, "source", ".", "directory with the app's source")
	return cmd
}

// writeSourceArchive writes dir as a tar.gz, leaving out .git directories.
// Symlinks are archived as links; the platform refuses ones that point out.
func writeSourceArchive(w io.Writer, dir string) error {
	zw := gzip.NewWriter(w)
	tw := tar.NewWriter(zw)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil || rel == "." {
			return err
		}
		return addToArchive(tw, path, filepath.ToSlash(rel), d)
	})
	if err != nil {
		return fmt.Errorf("archive %s: %w", dir, err)
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

func addToArchive(tw *tar.Writer, path, name string, d fs.DirEntry) error {
	info, err := d.Info()
	if err != nil {
		return err
	}
	link := ""
	if info.Mode()&fs.ModeSymlink != 0 {
		if link, err = os.Readlink(path); err != nil {
			return err
		}
	}
	h, err := tar.FileInfoHeader(info, link)
	if err != nil {
		return err
	}
	h.Name = name
	if d.IsDir() {
		h.Name += "/"
	}
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(tw, f)
	return err
}
