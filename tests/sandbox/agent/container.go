package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// containerRunner supervises one container of a pod: it starts the container's processes,
// restarts them per the pod's restartPolicy, runs its probes, and stops them on deletion.
// Its status fields are guarded by the pod's mutex.
type containerRunner struct {
	pod    *podRunner
	spec   corev1.Container
	isInit bool
	dir    string

	state      corev1.ContainerState
	lastState  corev1.ContainerState
	restarts   int32
	ready      bool
	started    bool
	imageID    string
	instance   *processInstance
	runs       int
	killReason string
}

// processInstance is one run of a container's command.
type processInstance struct {
	id        string
	pid       int
	env       []string
	workdir   string
	startedAt time.Time
	exited    chan struct{}
	exitCode  int
	signal    syscall.Signal
	ctx       context.Context
	cancel    context.CancelFunc
}

func newContainerRunner(p *podRunner, spec corev1.Container, isInit bool) *containerRunner {
	return &containerRunner{
		pod:    p,
		spec:   spec,
		isInit: isInit,
		dir:    filepath.Join(p.dir, "containers", spec.Name),
		state:  corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}},
	}
}

func (c *containerRunner) logPath() string     { return filepath.Join(c.dir, "current.log") }
func (c *containerRunner) prevLogPath() string { return filepath.Join(c.dir, "previous.log") }

// start builds the container's root and launches its command in new mount and UTS namespaces.
func (c *containerRunner) start(img *runnableImage) (*processInstance, error) {
	p := c.pod
	p.mu.Lock()
	pod := p.pod.DeepCopy()
	volumePaths := p.volumePaths
	p.mu.Unlock()

	facts := p.facts()
	env, err := containerEnv(pod, &c.spec, img.Env, facts, p.agent.objects)
	if err != nil {
		return nil, &configError{err}
	}
	argv, err := containerCommand(&c.spec, img, env)
	if err != nil {
		return nil, &configError{err}
	}
	vmounts, err := volumeMounts(&c.spec, volumePaths)
	if err != nil {
		return nil, &configError{err}
	}
	workdir := c.spec.WorkingDir
	if workdir == "" {
		workdir = img.WorkingDir
	}
	spec, err := c.prepareRoot(pod, img, vmounts)
	if err != nil {
		return nil, err
	}
	spec.Workdir, spec.Argv, spec.Env = workdir, argv, env
	specPath := filepath.Join(c.dir, "init.json")
	raw, _ := json.Marshal(spec)
	if err := os.WriteFile(specPath, raw, 0o600); err != nil {
		return nil, err
	}

	// The previous run's log is kept for `kubectl logs --previous`.
	if _, err := os.Stat(c.logPath()); err == nil {
		os.Rename(c.logPath(), c.prevLogPath())
	}
	logs, err := newContainerLog(c.logPath())
	if err != nil {
		return nil, err
	}
	stdoutR, stdoutW, err := os.Pipe()
	if err != nil {
		logs.Close()
		return nil, err
	}
	stderrR, stderrW, err := os.Pipe()
	if err != nil {
		logs.Close()
		stdoutR.Close()
		stdoutW.Close()
		return nil, err
	}
	cmd := exec.Command(p.agent.self, containerInitCommand, specPath)
	cmd.Stdout, cmd.Stderr = stdoutW, stderrW
	cmd.Env = []string{}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWUTS,
		Setpgid:    true,
		Pdeathsig:  syscall.SIGKILL,
	}
	err = cmd.Start()
	stdoutW.Close()
	stderrW.Close()
	if err != nil {
		logs.Close()
		stdoutR.Close()
		stderrR.Close()
		return nil, err
	}
	copied := logs.Capture(stdoutR, stderrR)

	ctx, cancel := context.WithCancel(p.ctx)
	inst := &processInstance{
		id:        fmt.Sprintf("sandbox://%s/%s/%d", p.pod.UID, c.spec.Name, cmd.Process.Pid),
		pid:       cmd.Process.Pid,
		env:       env,
		workdir:   workdir,
		startedAt: time.Now(),
		exited:    make(chan struct{}),
		ctx:       ctx,
		cancel:    cancel,
	}
	os.WriteFile(filepath.Join(c.dir, "pid"), []byte(fmt.Sprint(inst.pid)), 0o644)
	go func() {
		err := cmd.Wait()
		<-copied
		logs.Close()
		inst.exitCode, inst.signal = exitStatus(cmd, err)
		// Anything the container left in its process group goes with it.
		syscall.Kill(-inst.pid, syscall.SIGKILL)
		os.Remove(filepath.Join(c.dir, "pid"))
		cancel()
		close(inst.exited)
	}()
	return inst, nil
}

// configError is a problem in the pod's spec or its references (CreateContainerConfigError).
type configError struct{ err error }

func (e *configError) Error() string { return e.err.Error() }

func exitStatus(cmd *exec.Cmd, err error) (int, syscall.Signal) {
	if cmd.ProcessState == nil {
		return 128, 0
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), ws.Signal()
	}
	return cmd.ProcessState.ExitCode(), 0
}

// prepareRoot lays out the container's root directory and the mounts that fill it.
func (c *containerRunner) prepareRoot(pod *corev1.Pod, img *runnableImage, volumes []mountSpec) (*containerInitSpec, error) {
	rootfs := filepath.Join(c.dir, "rootfs")
	upper := filepath.Join(c.dir, "etc-upper")
	work := filepath.Join(c.dir, "etc-work")
	for _, d := range []string{rootfs, upper, work} {
		if err := removeUnmounted(d); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	var mounts []mountSpec
	// The host's programs and libraries, read-only; merged-/usr symlinks are kept as symlinks.
	for _, d := range []string{"bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr"} {
		info, err := os.Lstat("/" + d)
		if err != nil {
			continue
		}
		if info.Mode()&os.ModeSymlink != 0 {
			target, _ := os.Readlink("/" + d)
			if err := os.Symlink(target, filepath.Join(rootfs, d)); err != nil {
				return nil, err
			}
			continue
		}
		mounts = append(mounts, mountSpec{Kind: mountBind, Source: "/" + d, Target: "/" + d, ReadOnly: true})
	}
	for _, d := range []string{"tmp", "var/tmp", "run", "root", "home"} {
		if err := os.MkdirAll(filepath.Join(rootfs, d), 0o755); err != nil {
			return nil, err
		}
	}
	os.Chmod(filepath.Join(rootfs, "tmp"), 0o1777)
	os.Chmod(filepath.Join(rootfs, "var/tmp"), 0o1777)

	ip := c.pod.podIP()
	hostname := podHostname(pod)
	fqdn := hostname
	if pod.Spec.Subdomain != "" {
		fqdn = fmt.Sprintf("%s.%s.%s.svc.%s %s", hostname, pod.Spec.Subdomain, pod.Namespace, clusterDomain, hostname)
	}
	etcFiles := map[string]string{
		"hostname":        hostname + "\n",
		"hosts":           fmt.Sprintf("127.0.0.1\tlocalhost\n%s\t%s\n", ip, fqdn),
		"pod-loopback-ip": ip + "\n",
		"ld.so.preload":   containerPodNetDir + "/libpodnet.so\n",
	}
	for name, text := range etcFiles {
		if err := os.WriteFile(filepath.Join(upper, name), []byte(text), 0o644); err != nil {
			return nil, err
		}
	}
	mounts = append(mounts,
		mountSpec{Kind: mountOverlay, Source: "/etc", Upper: upper, Work: work, Target: "/etc"},
		mountSpec{Kind: mountBind, Source: "/dev", Target: "/dev"},
		mountSpec{Kind: mountProc, Target: "/proc"},
		mountSpec{Kind: mountBind, Source: "/sys", Target: "/sys", ReadOnly: true},
		mountSpec{Kind: mountBind, Source: c.pod.dnsDir(), Target: containerDNSDir, ReadOnly: true},
		mountSpec{Kind: mountBind, Source: c.pod.agent.podNetDir, Target: containerPodNetDir, ReadOnly: true},
	)
	mounts = append(mounts, img.Mounts...)
	mounts = append(mounts, volumes...)
	return &containerInitSpec{Rootfs: rootfs, Hostname: hostname, Mounts: mounts}, nil
}

// terminate stops a run: SIGTERM to its process group, SIGKILL after the grace period.
func (inst *processInstance) terminate(grace time.Duration) {
	select {
	case <-inst.exited:
		return
	default:
	}
	syscall.Kill(-inst.pid, syscall.SIGTERM)
	select {
	case <-inst.exited:
	case <-time.After(grace):
		syscall.Kill(-inst.pid, syscall.SIGKILL)
		<-inst.exited
	}
}

// terminatedState describes a finished run.
func (inst *processInstance) terminatedState(reason string) corev1.ContainerState {
	if reason == "" {
		reason = "Completed"
		if inst.exitCode != 0 {
			reason = "Error"
		}
	}
	return corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
		ExitCode:    int32(inst.exitCode),
		Signal:      int32(inst.signal),
		Reason:      reason,
		StartedAt:   metav1.NewTime(inst.startedAt),
		FinishedAt:  metav1.Now(),
		ContainerID: inst.id,
	}}
}

// removeUnmounted deletes a directory tree after checking that nothing is mounted inside it,
// so a leaked bind mount of a host directory can never be deleted through it.
func removeUnmounted(dir string) error {
	mountinfo, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return err
	}
	prefix := filepath.Clean(dir) + "/"
	for _, line := range strings.Split(string(mountinfo), "\n") {
		fields := strings.Fields(line)
		if len(fields) > 4 && (fields[4] == filepath.Clean(dir) || strings.HasPrefix(fields[4], prefix)) {
			return fmt.Errorf("refusing to remove %s: %s is mounted", dir, fields[4])
		}
	}
	return os.RemoveAll(dir)
}
