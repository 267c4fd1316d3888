package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// podTimerSlack: a pod's timed waits may end up to this much late, while a wake-up by an event
// (a request, a message) is as prompt as ever. Every pod shares two cores with the others and with
// the tests; an idle RocketMQ broker's threads sleep 1, 5 and 10 ms at a time, which costs it
// about 6% of a core with Linux's default slack of 50 µs, and under 3% with this one. The slack is
// set on the thread that execs the container's command, and every thread it starts inherits it.
const podTimerSlack = 10 * time.Millisecond

// A container is started by re-executing the agent as `agent container-init SPEC.json` in a new
// mount and UTS namespace. It builds the container's root from mounts (host /usr read-only, a
// private /etc overlay, the image's files, the pod's volumes at their mountPaths), sets the pod
// hostname, chroots and execs the container's command. The mounts exist only in that namespace
// and vanish with the container's last process.
const containerInitCommand = "container-init"

type mountKind string

const (
	mountBind    mountKind = "bind"    // bind Source at Target (recursive)
	mountOverlay mountKind = "overlay" // Source is the lower dir; Upper and Work hold the changes
	mountProc    mountKind = "proc"
)

type mountSpec struct {
	Kind     mountKind `json:"kind"`
	Source   string    `json:"source,omitempty"`
	Target   string    `json:"target"` // path inside the container
	ReadOnly bool      `json:"readOnly,omitempty"`
	File     bool      `json:"file,omitempty"` // Source is a file: the mount point is a file
	Upper    string    `json:"upper,omitempty"`
	Work     string    `json:"work,omitempty"`
}

type containerInitSpec struct {
	Rootfs   string      `json:"rootfs"`
	Hostname string      `json:"hostname"`
	Mounts   []mountSpec `json:"mounts"`
	Workdir  string      `json:"workdir"`
	Argv     []string    `json:"argv"`
	Env      []string    `json:"env"`
}

func runContainerInit(specPath string) {
	if err := containerInit(specPath); err != nil {
		fmt.Fprintln(os.Stderr, "container init:", err)
		os.Exit(128)
	}
}

func containerInit(specPath string) error {
	raw, err := os.ReadFile(specPath)
	if err != nil {
		return err
	}
	var spec containerInitSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return err
	}
	// Nothing mounted here may propagate back to the host.
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	if err := syscall.Sethostname([]byte(spec.Hostname)); err != nil {
		return fmt.Errorf("sethostname: %w", err)
	}
	for _, m := range spec.Mounts {
		if err := mountInto(spec.Rootfs, m); err != nil {
			return fmt.Errorf("mount %s at %s: %w", m.Source, m.Target, err)
		}
	}
	if err := syscall.Chroot(spec.Rootfs); err != nil {
		return fmt.Errorf("chroot: %w", err)
	}
	workdir := spec.Workdir
	if workdir == "" {
		workdir = "/"
	}
	if err := os.MkdirAll(workdir, 0o755); err != nil {
		return err
	}
	if err := os.Chdir(workdir); err != nil {
		return err
	}
	if len(spec.Argv) == 0 {
		return fmt.Errorf("no command")
	}
	os.Clearenv()
	for _, kv := range spec.Env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			os.Setenv(k, v)
		}
	}
	path, err := exec.LookPath(spec.Argv[0])
	if err != nil {
		return fmt.Errorf("%s: %w", spec.Argv[0], err)
	}
	runtime.LockOSThread()
	if err := unix.Prctl(unix.PR_SET_TIMERSLACK, uintptr(podTimerSlack.Nanoseconds()), 0, 0, 0); err != nil {
		return fmt.Errorf("timer slack: %w", err)
	}
	return syscall.Exec(path, spec.Argv, spec.Env)
}

func mountInto(rootfs string, m mountSpec) error {
	target := filepath.Join(rootfs, m.Target)
	if m.File {
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if f, err := os.OpenFile(target, os.O_CREATE|os.O_RDONLY, 0o644); err == nil {
			f.Close()
		} else {
			return err
		}
	} else if err := os.MkdirAll(target, 0o755); err != nil {
		return err
	}
	switch m.Kind {
	case mountProc:
		return syscall.Mount("proc", target, "proc", syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, "")
	case mountOverlay:
		data := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s", m.Source, m.Upper, m.Work)
		return syscall.Mount("overlay", target, "overlay", 0, data)
	case mountBind:
		if err := syscall.Mount(m.Source, target, "", syscall.MS_BIND|syscall.MS_REC, ""); err != nil {
			return err
		}
		if m.ReadOnly {
			return syscall.Mount("", target, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, "")
		}
		return nil
	default:
		return fmt.Errorf("unknown mount kind %q", m.Kind)
	}
}
