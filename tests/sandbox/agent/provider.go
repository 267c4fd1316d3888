package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/virtual-kubelet/virtual-kubelet/errdefs"
	"github.com/virtual-kubelet/virtual-kubelet/node/api"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/record"
	statsv1alpha1 "k8s.io/kubelet/pkg/apis/stats/v1alpha1"
	utilexec "k8s.io/utils/exec"
)

// nodeIP is the node's address: the API server reaches the kubelet API there, and pods see it
// as status.hostIP.
const nodeIP = "127.0.0.1"

// Agent is the virtual-kubelet provider: it runs the pods bound to its node.
type Agent struct {
	cfg       Config
	self      string // this executable, re-executed as container init
	client    kubernetes.Interface
	recorder  record.EventRecorder
	objects   objectSource
	volumes   volumeResolver
	images    *imageStore
	ips       *loopbackIPAM
	dns       *clusterDNS
	podNetDir string
	cpu       resource.Quantity
	memory    resource.Quantity
	ephemeral resource.Quantity

	mu        sync.Mutex
	pods      map[string]*podRunner
	notifyFn  func(*corev1.Pod)
	stopGrace sync.Map

	// portForwards counts the port-forward streams served; each one is logged, so tests can tell
	// which connections went through the API server.
	portForwards atomic.Int64
}

func (a *Agent) runners() []*podRunner {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]*podRunner, 0, len(a.pods))
	for _, p := range a.pods {
		out = append(out, p)
	}
	return out
}

func (a *Agent) runner(ns, name string) *podRunner {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.pods[podKey(ns, name)]
}

func (a *Agent) notifyPod(pod *corev1.Pod) {
	a.mu.Lock()
	fn := a.notifyFn
	a.mu.Unlock()
	if fn != nil {
		fn(pod)
	}
}

// NotifyPods registers the pod controller's callback for status changes.
func (a *Agent) NotifyPods(_ context.Context, fn func(*corev1.Pod)) {
	a.mu.Lock()
	a.notifyFn = fn
	a.mu.Unlock()
}

// CreatePod starts running a pod bound to this node.
func (a *Agent) CreatePod(_ context.Context, pod *corev1.Pod) error {
	key := podKey(pod.Namespace, pod.Name)
	a.mu.Lock()
	old := a.pods[key]
	a.mu.Unlock()
	if old != nil && old.pod.UID == pod.UID {
		return nil
	}
	if old != nil {
		// A pod of the same name from before (a StatefulSet recreates names): make sure it stops.
		a.DeletePod(context.Background(), old.snapshot())
	}
	ip, err := a.ips.Allocate(string(pod.UID), pod.Status.PodIP)
	if err != nil {
		return err
	}
	p := newPodRunner(a, pod, ip)
	a.mu.Lock()
	a.pods[key] = p
	a.mu.Unlock()
	go p.run()
	p.notify()
	return nil
}

// UpdatePod takes the pod's new metadata and mutable spec; running containers keep running.
func (a *Agent) UpdatePod(ctx context.Context, pod *corev1.Pod) error {
	p := a.runner(pod.Namespace, pod.Name)
	if p == nil || p.pod.UID != pod.UID {
		return a.CreatePod(ctx, pod)
	}
	p.mu.Lock()
	status := p.pod.Status
	p.pod = pod.DeepCopy()
	p.pod.Status = status
	p.mu.Unlock()
	p.agent.dns.Changed()
	return nil
}

// DeletePod stops a pod's containers (SIGTERM, grace period, SIGKILL) in the background and
// reports the terminal status when they are gone.
func (a *Agent) DeletePod(_ context.Context, pod *corev1.Pod) error {
	p := a.runner(pod.Namespace, pod.Name)
	if p == nil || p.pod.UID != pod.UID {
		return errdefs.NotFoundf("pod %s/%s is not on this node", pod.Namespace, pod.Name)
	}
	grace := 30 * time.Second
	if pod.DeletionGracePeriodSeconds != nil {
		grace = time.Duration(*pod.DeletionGracePeriodSeconds) * time.Second
	} else if pod.Spec.TerminationGracePeriodSeconds != nil {
		grace = time.Duration(*pod.Spec.TerminationGracePeriodSeconds) * time.Second
	}
	p.mu.Lock()
	already := p.deleting
	p.deleting = true
	if pod.DeletionTimestamp != nil {
		p.pod.DeletionTimestamp = pod.DeletionTimestamp
		p.pod.DeletionGracePeriodSeconds = pod.DeletionGracePeriodSeconds
	}
	p.mu.Unlock()
	if already {
		return nil
	}
	p.event(corev1.EventTypeNormal, "Killing", fmt.Sprintf("Stopping containers (grace period %s)", grace))
	apiDeleted := pod.DeletionTimestamp != nil
	go func() {
		p.stop(grace)
		if apiDeleted {
			a.removeFromAPIServer(pod)
		}
		a.forget(p)
	}()
	return nil
}

// removeFromAPIServer ends a deleted pod's grace period once its containers have stopped, as the
// kubelet does, so controllers replace it without waiting out the whole period.
func (a *Agent) removeFromAPIServer(pod *corev1.Pod) {
	time.Sleep(time.Second) // let the terminal status reach the API server first
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opts := metav1.DeleteOptions{GracePeriodSeconds: new(int64), Preconditions: metav1.NewUIDPreconditions(string(pod.UID))}
	err := a.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, opts)
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		fmt.Fprintf(os.Stderr, "agent: removing stopped pod %s/%s: %v\n", pod.Namespace, pod.Name, err)
	}
}

// forget drops a stopped pod after its terminal status had time to reach the API server.
func (a *Agent) forget(p *podRunner) {
	time.Sleep(5 * time.Second)
	a.mu.Lock()
	if a.pods[p.key] == p {
		delete(a.pods, p.key)
	}
	a.mu.Unlock()
	a.ips.Release(string(p.pod.UID))
	if err := removeUnmounted(p.dir); err != nil {
		fmt.Fprintln(os.Stderr, "agent: cleaning pod dir:", err)
	}
	a.dns.Changed()
}

// GetPod returns the pod with the status this node reports.
// A pod being stopped is not reported: the pod controller then treats a new pod of the same
// name (a StatefulSet's replacement) as new instead of comparing it with the old one.
func (a *Agent) GetPod(_ context.Context, ns, name string) (*corev1.Pod, error) {
	p := a.runner(ns, name)
	if p != nil {
		p.mu.Lock()
		deleting := p.deleting
		p.mu.Unlock()
		if deleting {
			p = nil
		}
	}
	if p == nil {
		return nil, errdefs.NotFoundf("pod %s/%s is not on this node", ns, name)
	}
	return p.snapshot(), nil
}

func (a *Agent) GetPodStatus(ctx context.Context, ns, name string) (*corev1.PodStatus, error) {
	pod, err := a.GetPod(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	return &pod.Status, nil
}

func (a *Agent) GetPods(context.Context) ([]*corev1.Pod, error) {
	var out []*corev1.Pod
	for _, p := range a.runners() {
		out = append(out, p.snapshot())
	}
	return out, nil
}

// GetContainerLogs serves `kubectl logs`.
func (a *Agent) GetContainerLogs(ctx context.Context, ns, podName, containerName string, opts api.ContainerLogOpts) (io.ReadCloser, error) {
	p := a.runner(ns, podName)
	if p == nil {
		return nil, errdefs.NotFoundf("pod %s/%s is not on this node", ns, podName)
	}
	c := p.container(containerName)
	if c == nil {
		return nil, errdefs.NotFoundf("container %q is not in pod %s/%s", containerName, ns, podName)
	}
	path := c.logPath()
	if opts.Previous {
		path = c.prevLogPath()
	}
	if _, err := os.Stat(path); err != nil {
		return nil, errdefs.NotFoundf("container %q in pod %s/%s has no log yet", containerName, ns, podName)
	}
	p.mu.Lock()
	inst := c.instance
	p.mu.Unlock()
	stillRunning := func() bool {
		if inst == nil || opts.Previous {
			return false
		}
		select {
		case <-inst.exited:
			return false
		default:
			return true
		}
	}
	return readContainerLog(ctx, path, opts, stillRunning)
}

func (p *podRunner) container(name string) *containerRunner {
	for _, c := range append(append([]*containerRunner{}, p.inits...), p.containers...) {
		if c.spec.Name == name || (name == "" && len(p.containers) == 1) {
			return c
		}
	}
	return nil
}

// RunInContainer serves `kubectl exec` (without a TTY): the command runs in the container's
// namespaces and root with its environment.
func (a *Agent) RunInContainer(ctx context.Context, ns, podName, containerName string, cmd []string, attach api.AttachIO) error {
	p := a.runner(ns, podName)
	if p == nil {
		return errdefs.NotFoundf("pod %s/%s is not on this node", ns, podName)
	}
	c := p.container(containerName)
	if c == nil {
		return errdefs.NotFoundf("container %q is not in pod %s/%s", containerName, ns, podName)
	}
	p.mu.Lock()
	inst := c.instance
	p.mu.Unlock()
	if inst == nil {
		return errdefs.InvalidInputf("container %q is not running", containerName)
	}
	run := containerExecCommand(ctx, inst, cmd)
	if attach.Stdin() != nil {
		run.Stdin = attach.Stdin()
	}
	if attach.Stdout() != nil {
		run.Stdout = attach.Stdout()
		defer attach.Stdout().Close()
	}
	if attach.Stderr() != nil {
		run.Stderr = attach.Stderr()
		defer attach.Stderr().Close()
	}
	err := run.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && exitErr.Exited() {
		// Reported to kubectl as the command's exit code, not as a failure of the node.
		return utilexec.CodeExitError{Err: err, Code: exitErr.ExitCode()}
	}
	return err
}

func (a *Agent) AttachToContainer(context.Context, string, string, string, api.AttachIO) error {
	return errdefs.InvalidInput("attach is not supported on this node; use kubectl logs -f or exec")
}

// PortForward serves `kubectl port-forward` by dialling the pod's address.
func (a *Agent) PortForward(ctx context.Context, ns, podName string, port int32, stream io.ReadWriteCloser) error {
	p := a.runner(ns, podName)
	if p == nil {
		return errdefs.NotFoundf("pod %s/%s is not on this node", ns, podName)
	}
	defer stream.Close()
	fmt.Fprintf(os.Stderr, "agent: port-forward stream %d to %s/%s port %d\n", a.portForwards.Add(1), ns, podName, port)
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(p.podIP(), strconv.Itoa(int(port))))
	if err != nil {
		return err
	}
	defer conn.Close()
	done := make(chan struct{}, 2)
	go func() { io.Copy(conn, stream); conn.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
	go func() { io.Copy(stream, conn); done <- struct{}{} }()
	select {
	case <-done:
		<-done
	case <-ctx.Done():
	}
	return nil
}

func (a *Agent) GetStatsSummary(context.Context) (*statsv1alpha1.Summary, error) {
	s := &statsv1alpha1.Summary{Node: statsv1alpha1.NodeStats{NodeName: a.cfg.NodeName, StartTime: metav1.Now()}}
	for _, p := range a.runners() {
		pod := p.snapshot()
		s.Pods = append(s.Pods, statsv1alpha1.PodStats{PodRef: statsv1alpha1.PodReference{Name: pod.Name, Namespace: pod.Namespace, UID: string(pod.UID)}, StartTime: p.startTime})
	}
	return s, nil
}

func (a *Agent) GetMetricsResource(context.Context) ([]*dto.MetricFamily, error) {
	return nil, nil
}
