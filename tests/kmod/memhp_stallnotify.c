// SPDX-License-Identifier: GPL-2.0
/*
 * memhp_stallnotify: a memory notifier whose MEM_GOING_OFFLINE callback
 * waits, the way a driver's callback blocked on a lock or on its device
 * does. An offline then sits inside memory_notify(), inside one step of
 * offline_pages(): none of the steps that repeat (migration passes, the
 * isolation test) runs, so no BPF program sees it progress, and memhp's
 * timer must report it (user/lib/offstall.h).
 *
 *   insmod memhp_stallnotify.ko
 *     -> every MEM_GOING_OFFLINE waits; /sys/module/memhp_stallnotify/
 *        parameters/waiting counts the callbacks waiting now
 *   echo 1 > /sys/module/memhp_stallnotify/parameters/release   (or rmmod)
 *     -> the waiting callbacks return NOTIFY_OK; later ones do not wait
 *
 * A callback waits at most 300 s, or until its task gets a signal, so a
 * forgotten release cannot hang the guest. For the lab only
 * (tests/vm/scenarios/test_offline_why.py).
 */
#include <linux/atomic.h>
#include <linux/memory.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/wait.h>

static DECLARE_WAIT_QUEUE_HEAD(release_wq);
static bool released;
static atomic_t waiting = ATOMIC_INIT(0);

static int stall_cb(struct notifier_block *nb, unsigned long action, void *arg)
{
	if (action != MEM_GOING_OFFLINE || READ_ONCE(released))
		return NOTIFY_OK;
	atomic_inc(&waiting);
	wait_event_interruptible_timeout(release_wq, READ_ONCE(released), 300 * HZ);
	atomic_dec(&waiting);
	return NOTIFY_OK;
}

static struct notifier_block stall_nb = {
	.notifier_call = stall_cb,
};

static int release_set(const char *val, const struct kernel_param *kp)
{
	bool yes;
	int err = kstrtobool(val, &yes);

	if (err)
		return err;
	if (yes) {
		WRITE_ONCE(released, true);
		wake_up_all(&release_wq);
	}
	return 0;
}

static int release_get(char *buf, const struct kernel_param *kp)
{
	return sprintf(buf, "%d\n", READ_ONCE(released));
}

static const struct kernel_param_ops release_ops = {
	.set = release_set,
	.get = release_get,
};
module_param_cb(release, &release_ops, NULL, 0644);
MODULE_PARM_DESC(release, "write 1 to let the waiting offlines go on");

static int waiting_get(char *buf, const struct kernel_param *kp)
{
	return sprintf(buf, "%d\n", atomic_read(&waiting));
}

static const struct kernel_param_ops waiting_ops = {
	.get = waiting_get,
};
module_param_cb(waiting, &waiting_ops, NULL, 0444);
MODULE_PARM_DESC(waiting, "MEM_GOING_OFFLINE callbacks waiting now");

static int __init stall_init(void)
{
	return register_memory_notifier(&stall_nb);
}

static void __exit stall_exit(void)
{
	/* waiters hold the chain's lock for reading: let them go first */
	WRITE_ONCE(released, true);
	wake_up_all(&release_wq);
	unregister_memory_notifier(&stall_nb);
}

module_init(stall_init);
module_exit(stall_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("memhp lab: a MEM_GOING_OFFLINE callback that waits");
