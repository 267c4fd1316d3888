package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// podRunner runs one pod bound to this node: address, volumes, init containers, containers,
// and the status it reports.
type podRunner struct {
	agent *Agent
	key   string
	dir   string

	mu           sync.Mutex
	pod          *corev1.Pod
	ip           string
	startTime    metav1.Time
	volumePaths  map[string]string
	sandboxReady bool
	initDone     bool
	failed       bool // an init container failed under restartPolicy Never
	deleting     bool
	reported     map[string]string     // last event reason+message per subject, to say each once
	conditions   []corev1.PodCondition // last reported, to keep transition times
	inits        []*containerRunner
	containers   []*containerRunner

	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	stopped chan struct{}
}

func newPodRunner(a *Agent, pod *corev1.Pod, ip string) *podRunner {
	ctx, cancel := context.WithCancel(context.Background())
	p := &podRunner{
		agent:     a,
		key:       podKey(pod.Namespace, pod.Name),
		dir:       filepath.Join(a.cfg.StateDir, "pods", fmt.Sprintf("%s_%s_%s", pod.Namespace, pod.Name, pod.UID)),
		pod:       pod.DeepCopy(),
		ip:        ip,
		startTime: metav1.Now(),
		reported:  map[string]string{},
		ctx:       ctx,
		cancel:    cancel,
		stopped:   make(chan struct{}),
	}
	for _, c := range pod.Spec.InitContainers {
		p.inits = append(p.inits, newContainerRunner(p, c, true))
	}
	for _, c := range pod.Spec.Containers {
		p.containers = append(p.containers, newContainerRunner(p, c, false))
	}
	return p
}

func podKey(ns, name string) string { return ns + "/" + name }

func (p *podRunner) podIP() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ip
}

func (p *podRunner) dnsDir() string { return filepath.Join(p.dir, "dns") }

func (p *podRunner) facts() podFacts {
	return podFacts{PodIP: p.podIP(), HostIP: nodeIP, NodeCPU: p.agent.cpu, NodeMemory: p.agent.memory, NodeEphemeral: p.agent.ephemeral}
}

// run drives the pod from Pending to Running; it returns when the pod is stopped.
func (p *podRunner) run() {
	defer close(p.stopped)
	if err := os.MkdirAll(p.dnsDir(), 0o755); err != nil {
		p.event(corev1.EventTypeWarning, "FailedCreatePodSandBox", err.Error())
		return
	}
	p.agent.dns.WritePod(p)
	images, ok := p.waitForImages()
	if !ok {
		return
	}
	if !p.waitForVolumes() {
		return
	}
	p.wg.Add(1)
	go func() { defer p.wg.Done(); p.refreshVolumes() }()

	for _, c := range p.inits {
		if !c.runToCompletion(images[c.spec.Name]) {
			p.wg.Wait()
			return
		}
	}
	p.mu.Lock()
	p.initDone = true
	p.mu.Unlock()
	p.notify()
	for _, c := range p.containers {
		c := c
		p.wg.Add(1)
		go func() { defer p.wg.Done(); c.supervise(images[c.spec.Name]) }()
	}
	<-p.ctx.Done()
	p.wg.Wait()
}

// waitForImages resolves every container's image; an image this node cannot run keeps the pod
// Pending with an event saying why.
func (p *podRunner) waitForImages() (map[string]*runnableImage, bool) {
	all := append(append([]*containerRunner{}, p.inits...), p.containers...)
	for {
		images := map[string]*runnableImage{}
		var blocked error
		for _, c := range all {
			img, err := p.agent.images.Resolve(c.spec.Image)
			if err != nil {
				var unrunnable *unrunnableImageError
				reason := "ContainerCreating"
				if errors.As(err, &unrunnable) {
					reason = "ErrImagePull"
				}
				p.setWaiting(c, reason, err.Error())
				p.notify()
				if reason == "ErrImagePull" {
					p.eventOnce("image/"+c.spec.Name, corev1.EventTypeWarning, "Failed", fmt.Sprintf("Failed to pull image %q: %v", c.spec.Image, err))
				} else {
					p.eventOnce("image/"+c.spec.Name, corev1.EventTypeNormal, "Pulling", fmt.Sprintf("Pulling image %q: %v", c.spec.Image, err))
				}
				blocked = err
				continue
			}
			images[c.spec.Name] = img
		}
		if blocked == nil {
			for _, c := range all {
				p.eventOnce("image/"+c.spec.Name, corev1.EventTypeNormal, "Pulled", fmt.Sprintf("Container image %q present on node (RocketMQ jars of that version)", c.spec.Image))
			}
			return images, true
		}
		p.notify()
		if !p.sleep(10 * time.Second) {
			return nil, false
		}
	}
}

func (p *podRunner) waitForVolumes() bool {
	for {
		p.mu.Lock()
		pod := p.pod.DeepCopy()
		p.mu.Unlock()
		paths, err := p.agent.volumes.preparePodVolumes(p.ctx, pod, p.dir, p.facts())
		if err == nil {
			p.mu.Lock()
			p.volumePaths = paths
			p.sandboxReady = true
			p.mu.Unlock()
			p.notify()
			return true
		}
		p.eventOnce("volumes", corev1.EventTypeWarning, "FailedMount", "MountVolume.SetUp failed: "+err.Error())
		if !p.sleep(3 * time.Second) {
			return false
		}
	}
}

// refreshVolumes rewrites ConfigMap, Secret and downward API files as their sources change.
func (p *podRunner) refreshVolumes() {
	for p.sleep(10 * time.Second) {
		p.mu.Lock()
		pod := p.pod.DeepCopy()
		p.mu.Unlock()
		if _, err := p.agent.volumes.preparePodVolumes(p.ctx, pod, p.dir, p.facts()); err != nil && p.ctx.Err() == nil {
			p.eventOnce("volumes", corev1.EventTypeWarning, "FailedMount", "MountVolume.SetUp failed: "+err.Error())
		}
	}
}

// sleep waits d unless the pod is stopped first; it reports whether the pod is still live.
func (p *podRunner) sleep(d time.Duration) bool {
	select {
	case <-p.ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

// stop ends every container (SIGTERM, grace, SIGKILL) and waits for the pod's goroutines.
func (p *podRunner) stop(grace time.Duration) {
	p.mu.Lock()
	p.deleting = true
	p.mu.Unlock()
	p.agent.stopGrace.Store(p.key, grace)
	p.cancel()
	<-p.stopped
	p.mu.Lock()
	for _, c := range append(append([]*containerRunner{}, p.inits...), p.containers...) {
		if c.state.Terminated == nil {
			c.state = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				ExitCode: 0, Reason: "Completed", Message: "pod deleted before the container started",
				FinishedAt: metav1.Now(),
			}}
			if c.lastState.Terminated != nil {
				c.state.Terminated.ExitCode = c.lastState.Terminated.ExitCode
			}
		}
		c.ready = false
	}
	p.mu.Unlock()
	p.notify()
}

func (p *podRunner) graceFor() time.Duration {
	if v, ok := p.agent.stopGrace.Load(p.key); ok {
		return v.(time.Duration)
	}
	return 30 * time.Second
}

func (p *podRunner) setWaiting(c *containerRunner, reason, msg string) {
	p.mu.Lock()
	c.state = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}}
	c.ready = false
	p.mu.Unlock()
}

// notify sends the pod's current status to the pod controller.
func (p *podRunner) notify() {
	p.agent.notifyPod(p.snapshot())
	p.agent.dns.Changed()
}

// eventOnce records an event unless the same was said last time about the same subject.
func (p *podRunner) eventOnce(subject, eventType, reason, msg string) {
	p.mu.Lock()
	said := p.reported[subject] == reason+msg
	p.reported[subject] = reason + msg
	p.mu.Unlock()
	if !said {
		p.event(eventType, reason, msg)
	}
}

func (p *podRunner) event(eventType, reason, msg string) {
	p.mu.Lock()
	pod := p.pod.DeepCopy()
	p.mu.Unlock()
	p.agent.recorder.Event(pod, eventType, reason, msg)
}

// snapshot is the pod as the provider reports it: spec from the API server, status from here.
func (p *podRunner) snapshot() *corev1.Pod {
	p.mu.Lock()
	defer p.mu.Unlock()
	pod := p.pod.DeepCopy()
	pod.Status = p.statusLocked()
	return pod
}

func (p *podRunner) statusLocked() corev1.PodStatus {
	now := metav1.Now()
	st := corev1.PodStatus{
		HostIP:    nodeIP,
		HostIPs:   []corev1.HostIP{{IP: nodeIP}},
		StartTime: &p.startTime,
		QOSClass:  p.pod.Status.QOSClass,
	}
	if p.ip != "" {
		st.PodIP = p.ip
		st.PodIPs = []corev1.PodIP{{IP: p.ip}}
	}
	for _, c := range p.inits {
		st.InitContainerStatuses = append(st.InitContainerStatuses, c.statusLocked())
	}
	allReady, anyRunning, allDone, anyFailed := true, false, true, false
	for _, c := range p.containers {
		cs := c.statusLocked()
		st.ContainerStatuses = append(st.ContainerStatuses, cs)
		if !cs.Ready {
			allReady = false
		}
		if cs.State.Running != nil || c.restarts > 0 || cs.State.Terminated != nil && !p.deleting && willRestart(p.pod.Spec.RestartPolicy, cs.State.Terminated.ExitCode) {
			anyRunning = true
		}
		if cs.State.Terminated == nil {
			allDone = false
		} else if cs.State.Terminated.ExitCode != 0 {
			anyFailed = true
		}
	}
	switch {
	case p.failed:
		st.Phase = corev1.PodFailed
	case allDone && len(p.containers) > 0 && (p.deleting || !anyRestartPending(p)):
		st.Phase = corev1.PodSucceeded
		if anyFailed {
			st.Phase = corev1.PodFailed
		}
	case p.initDone && anyRunning:
		st.Phase = corev1.PodRunning
	default:
		st.Phase = corev1.PodPending
	}
	cond := func(t corev1.PodConditionType, ok bool, reason string) corev1.PodCondition {
		c := corev1.PodCondition{Type: t, Status: corev1.ConditionFalse, LastTransitionTime: now, Reason: reason}
		if ok {
			c.Status, c.Reason = corev1.ConditionTrue, ""
		}
		// Keep the transition time of an unchanged condition.
		for _, old := range append(append([]corev1.PodCondition{}, p.pod.Status.Conditions...), p.conditions...) {
			if old.Type == t && old.Status == c.Status {
				c.LastTransitionTime = old.LastTransitionTime
			}
		}
		return c
	}
	ready := allReady && p.initDone && !p.deleting && st.Phase == corev1.PodRunning
	st.Conditions = []corev1.PodCondition{
		cond(corev1.PodReadyToStartContainers, p.sandboxReady && !p.deleting, ""),
		cond(corev1.PodInitialized, p.initDone, "ContainersNotInitialized"),
		cond(corev1.ContainersReady, ready, "ContainersNotReady"),
		cond(corev1.PodReady, ready, "ContainersNotReady"),
		cond(corev1.PodScheduled, true, ""),
	}
	p.conditions = st.Conditions
	return st
}

func anyRestartPending(p *podRunner) bool {
	for _, c := range p.containers {
		if t := c.state.Terminated; t != nil && willRestart(p.pod.Spec.RestartPolicy, t.ExitCode) {
			return true
		}
	}
	return false
}

func willRestart(policy corev1.RestartPolicy, exitCode int32) bool {
	switch policy {
	case corev1.RestartPolicyNever:
		return false
	case corev1.RestartPolicyOnFailure:
		return exitCode != 0
	}
	return true
}
