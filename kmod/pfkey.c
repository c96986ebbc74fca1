// SPDX-License-Identifier: GPL-2.0
/*
 * The PF_KEY v2 socket family (RFC 2367): sockets, delivery (unicast,
 * broadcast to all or to registered sockets, copies for promiscuous
 * ones), dumps that pause while the reader's buffer is full, and the
 * dispatch of validated requests to their handlers.
 *
 * Sockets are per namespace; only CAP_NET_ADMIN in the namespace's user
 * namespace may open one. A socket's dump state is under lock_sock().
 */
#include <linux/capability.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/uio.h>
#include <net/sock.h>

#include "netns.h"
#include "pfkey.h"

static struct proto ipsec_pfkey_proto = {
	.name = "IPSEC_PFKEY",
	.owner = THIS_MODULE,
	.obj_size = sizeof(struct ipsec_pfkey_sock),
};

/* Queue without the receive buffer check: dumps check before building. */
static void ipsec_pfkey_queue(struct sock *sk, struct sk_buff *skb)
{
	skb_set_owner_r(skb, sk);
	skb_queue_tail(&sk->sk_receive_queue, skb);
	sk->sk_data_ready(sk);
}

static int ipsec_pfkey_deliver(struct ipsec_net *in, struct sock *sk,
			       struct sk_buff *skb)
{
	if (sock_flag(sk, SOCK_DEAD)) {		/* being released */
		kfree_skb(skb);
		return 0;
	}
	if (atomic_read(&sk->sk_rmem_alloc) + skb->truesize >
	    (unsigned int)READ_ONCE(sk->sk_rcvbuf)) {
		/* never silently: per socket and per namespace */
		atomic_inc(&sk->sk_drops);
		atomic64_inc(&in->pfkey_drops);
		kfree_skb(skb);
		return -ENOBUFS;
	}
	ipsec_pfkey_queue(sk, skb);
	return 0;
}

static bool ipsec_pfkey_wants(struct sock *sk, enum ipsec_pfkey_to to,
			      u8 satype)
{
	struct ipsec_pfkey_sock *ps = ipsec_pfkey_sk(sk);

	if (to == IPSEC_PFKEY_TO_ALL || READ_ONCE(ps->promisc))
		return true;
	return satype <= SADB_SATYPE_MAX && test_bit(satype, &ps->registered);
}

/* Consumes skb. */
int ipsec_pfkey_send(struct ipsec_net *in, struct sk_buff *skb,
		     enum ipsec_pfkey_to to, u8 satype, struct sock *one)
{
	struct sock *sk;

	if (to == IPSEC_PFKEY_TO_ONE)
		return ipsec_pfkey_deliver(in, one, skb);

	rcu_read_lock();
	sk_for_each_rcu(sk, &in->pfkey_socks) {
		struct sk_buff *copy;

		if (!ipsec_pfkey_wants(sk, to, satype))
			continue;
		copy = skb_clone(skb, GFP_ATOMIC);
		if (!copy) {
			atomic_inc(&sk->sk_drops);
			atomic64_inc(&in->pfkey_drops);
			continue;
		}
		ipsec_pfkey_deliver(in, sk, copy);
	}
	rcu_read_unlock();
	consume_skb(skb);
	return 0;
}

/* Every request, keys left out, to the promiscuous sockets but the
 * sender (KAME's SADB_X_PROMISC).
 */
static void ipsec_pfkey_promisc_copy(struct ipsec_net *in, struct sock *from,
				     const struct sadb_msg *msg)
{
	struct sk_buff *skb = NULL;
	struct sock *sk;

	rcu_read_lock();
	sk_for_each_rcu(sk, &in->pfkey_socks) {
		struct sk_buff *copy;

		if (sk == from || !READ_ONCE(ipsec_pfkey_sk(sk)->promisc))
			continue;
		if (!skb) {
			skb = ipsec_pfkey_copy_nokeys(msg, GFP_ATOMIC);
			if (!skb)
				break;
		}
		copy = skb_clone(skb, GFP_ATOMIC);
		if (copy)
			ipsec_pfkey_deliver(in, sk, copy);
	}
	rcu_read_unlock();
	kfree_skb(skb);
}

static void ipsec_pfkey_dump_end(struct ipsec_net *in,
				 struct ipsec_pfkey_dump *d)
{
	if (d->table == IPSEC_PFKEY_DUMP_SPD)
		ipsec_policy_walk_done(in, &d->pwalk);
	else
		ipsec_sa_walk_done(in, &d->walk);
	kfree_skb(d->pending);
	d->pending = NULL;
	d->table = IPSEC_PFKEY_DUMP_SAD;
	d->active = false;
}

/* The next entry of the table as a message; NULL at the end, or when
 * the message could not be built (counted, and the dump ends there).
 */
static struct sk_buff *ipsec_pfkey_dump_next(struct ipsec_net *in,
					     struct ipsec_pfkey_dump *d)
{
	struct sk_buff *skb;

	if (d->table == IPSEC_PFKEY_DUMP_SPD) {
		struct ipsec_policy *pol = ipsec_policy_walk_next(in, &d->pwalk);

		if (!pol)
			return NULL;
		skb = ipsec_pfkey_policy_msg(pol, SADB_X_SPDDUMP, 0, d->pid,
					     GFP_KERNEL);
		ipsec_policy_put(pol);
	} else {
		struct ipsec_sa *sa = ipsec_sa_walk_next(in, &d->walk);

		if (!sa)
			return NULL;
		skb = ipsec_pfkey_sa_msg(sa, SADB_DUMP, 0, d->pid,
					 IPSEC_PFKEY_KEYS |
					 IPSEC_PFKEY_LIFETIMES, GFP_KERNEL);
		ipsec_sa_put(sa);
	}
	if (!skb)
		atomic64_inc(&in->pfkey_drops);
	return skb;
}

/* Fill the reader's buffer with the next SAs or policies. sadb_msg_seq
 * counts down and the last message has 0 (RFC 2367 3.1.10); the table
 * may change under a long dump, so each message is held back until the
 * next entry is known to exist, and the count is only an estimate above 0.
 */
int ipsec_pfkey_dump_run(struct ipsec_pfkey_sock *ps)
{
	struct ipsec_pfkey_dump *d = &ps->dump;
	struct sock *sk = &ps->sk;
	struct ipsec_net *in = ipsec_net(sock_net(sk));

	while (d->active &&
	       atomic_read(&sk->sk_rmem_alloc) < READ_ONCE(sk->sk_rcvbuf)) {
		struct sk_buff *skb = ipsec_pfkey_dump_next(in, d);

		if (!skb)
			break;
		if (d->pending) {
			struct sadb_msg *h = (void *)d->pending->data;

			h->sadb_msg_seq = d->left > 1 ? d->left - 1 : 1;
			ipsec_pfkey_queue(sk, d->pending);
			if (d->left > 1)
				d->left--;
		}
		d->pending = skb;
		cond_resched();
	}
	if (d->active && atomic_read(&sk->sk_rmem_alloc) <
			 READ_ONCE(sk->sk_rcvbuf)) {
		/* the end: the last message carries 0 */
		if (d->pending) {
			((struct sadb_msg *)d->pending->data)->sadb_msg_seq = 0;
			ipsec_pfkey_queue(sk, d->pending);
			d->pending = NULL;
		}
		ipsec_pfkey_dump_end(in, d);
	}
	return 0;
}

typedef int (*ipsec_pfkey_handler)(struct ipsec_pfkey_req *req);

static const ipsec_pfkey_handler ipsec_pfkey_handlers[SADB_MAX + 1] = {
	[SADB_GETSPI] = ipsec_pfkey_getspi,
	[SADB_UPDATE] = ipsec_pfkey_update,
	[SADB_ADD] = ipsec_pfkey_add,
	[SADB_DELETE] = ipsec_pfkey_delete,
	[SADB_GET] = ipsec_pfkey_get,
	[SADB_ACQUIRE] = ipsec_pfkey_acquire,
	[SADB_REGISTER] = ipsec_pfkey_register,
	[SADB_FLUSH] = ipsec_pfkey_flush,
	[SADB_DUMP] = ipsec_pfkey_dump,
	[SADB_X_PROMISC] = ipsec_pfkey_promisc,
	[SADB_X_SPDUPDATE] = ipsec_pfkey_spdupdate,
	[SADB_X_SPDADD] = ipsec_pfkey_spdadd,
	[SADB_X_SPDDELETE] = ipsec_pfkey_spddelete,
	[SADB_X_SPDGET] = ipsec_pfkey_spdget,
	[SADB_X_SPDDUMP] = ipsec_pfkey_spddump,
	[SADB_X_SPDFLUSH] = ipsec_pfkey_spdflush,
	[SADB_X_SPDDELETE2] = ipsec_pfkey_spddelete2,
	[SADB_X_MIGRATE] = ipsec_pfkey_migrate,
};

/* A header-only reply carrying the errno (RFC 2367 1.8). */
static int ipsec_pfkey_error(struct ipsec_net *in, struct sock *sk,
			     const struct sadb_msg *req, int err)
{
	struct sk_buff *skb = ipsec_pfkey_msg_alloc(sizeof(*req), GFP_KERNEL);
	struct sadb_msg *h;

	if (!skb)
		return -ENOBUFS;
	h = ipsec_pfkey_put_hdr(skb, req->sadb_msg_type,
				req->sadb_msg_satype, req->sadb_msg_seq,
				req->sadb_msg_pid);
	h->sadb_msg_errno = -err;
	ipsec_pfkey_finish(skb);
	return ipsec_pfkey_deliver(in, sk, skb);
}

/* The header is sound enough to address a reply to. */
static bool ipsec_pfkey_replyable(const struct sadb_msg *h, size_t len)
{
	return len >= sizeof(*h) && h->sadb_msg_version == PF_KEY_V2 &&
	       h->sadb_msg_len * sizeof(u64) == len;
}

static int ipsec_pfkey_process(struct ipsec_pfkey_sock *ps, const void *buf,
			       size_t len)
{
	struct ipsec_pfkey_req req = {
		.ps = ps,
		.in = ipsec_net(sock_net(&ps->sk)),
	};
	const struct sadb_msg *h = buf;
	ipsec_pfkey_handler fn;
	int err;

	err = ipsec_pfkey_parse(buf, len, &req.m);
	if (!err) {
		ipsec_pfkey_promisc_copy(req.in, &ps->sk, h);
		fn = ipsec_pfkey_handlers[h->sadb_msg_type];
		err = fn ? fn(&req) : -EOPNOTSUPP;
	}
	/* Like KAME and af_key: an error that reached the sender as a
	 * reply makes send(2) succeed; one that could not is its errno.
	 */
	if (err && ipsec_pfkey_replyable(h, len) &&
	    !ipsec_pfkey_error(req.in, &ps->sk, h, err))
		err = 0;
	return err;
}

static int ipsec_pfkey_sendmsg(struct socket *sock, struct msghdr *msg,
			       size_t len)
{
	struct sock *sk = sock->sk;
	void *buf;
	int err;

	if (msg->msg_flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (len < sizeof(struct sadb_msg))
		return -EINVAL;
	if (len > IPSEC_PFKEY_MAX_MSG)
		return -EMSGSIZE;
	buf = kvmalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOBUFS;
	if (!copy_from_iter_full(buf, len, &msg->msg_iter)) {
		err = -EFAULT;
		goto out;
	}
	lock_sock(sk);
	err = ipsec_pfkey_process(ipsec_pfkey_sk(sk), buf, len);
	release_sock(sk);
out:
	kvfree_sensitive(buf, len);	/* it may hold keys */
	return err ? err : len;
}

static int ipsec_pfkey_recvmsg(struct socket *sock, struct msghdr *msg,
			       size_t len, int flags)
{
	struct sock *sk = sock->sk;
	struct ipsec_pfkey_sock *ps = ipsec_pfkey_sk(sk);
	struct sk_buff *skb;
	size_t copied;
	int err;

	if (flags & ~(MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_COMPAT))
		return -EOPNOTSUPP;
	skb = skb_recv_datagram(sk, flags, &err);
	if (!skb)
		return err;
	copied = min_t(size_t, skb->len, len);
	if (copied < skb->len)
		msg->msg_flags |= MSG_TRUNC;
	err = skb_copy_datagram_msg(skb, 0, msg, copied);
	if (!err)
		err = (flags & MSG_TRUNC) ? skb->len : copied;
	skb_free_datagram(sk, skb);

	/* resume a paused dump once half the buffer is free */
	if (READ_ONCE(ps->dump.active) &&
	    atomic_read(&sk->sk_rmem_alloc) <= READ_ONCE(sk->sk_rcvbuf) / 2) {
		lock_sock(sk);
		ipsec_pfkey_dump_run(ps);
		release_sock(sk);
	}
	return err;
}

static int ipsec_pfkey_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct ipsec_pfkey_sock *ps;
	struct ipsec_net *in;

	if (!sk)
		return 0;
	ps = ipsec_pfkey_sk(sk);
	in = ipsec_net(sock_net(sk));

	mutex_lock(&in->pfkey_lock);
	sk_del_node_init_rcu(sk);
	mutex_unlock(&in->pfkey_lock);
	if (ps->registered)
		atomic_dec(&in->pfkey_registered);

	lock_sock(sk);
	if (ps->dump.active)
		ipsec_pfkey_dump_end(in, &ps->dump);
	sock_orphan(sk);
	sock->sk = NULL;
	skb_queue_purge(&sk->sk_receive_queue);
	release_sock(sk);
	sock_put(sk);
	return 0;
}

static const struct proto_ops ipsec_pfkey_ops = {
	.family = PF_KEY,
	.owner = THIS_MODULE,
	.release = ipsec_pfkey_release,
	.bind = sock_no_bind,
	.connect = sock_no_connect,
	.socketpair = sock_no_socketpair,
	.accept = sock_no_accept,
	.getname = sock_no_getname,
	.poll = datagram_poll,
	.ioctl = sock_no_ioctl,
	.listen = sock_no_listen,
	.shutdown = sock_no_shutdown,
	.sendmsg = ipsec_pfkey_sendmsg,
	.recvmsg = ipsec_pfkey_recvmsg,
	.mmap = sock_no_mmap,
};

/* After the RCU grace period of SOCK_RCU_FREE: a broadcast that found the
 * socket before release() took it off the list may have queued a message
 * after release() purged the queue.
 */
static void ipsec_pfkey_sock_destruct(struct sock *sk)
{
	skb_queue_purge(&sk->sk_receive_queue);
}

static int ipsec_pfkey_create(struct net *net, struct socket *sock,
			      int protocol, int kern)
{
	struct ipsec_net *in = ipsec_net(net);
	struct sock *sk;

	if (!ns_capable(net->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	if (sock->type != SOCK_RAW)
		return -ESOCKTNOSUPPORT;
	if (protocol != PF_KEY_V2)
		return -EPROTONOSUPPORT;

	sk = sk_alloc(net, PF_KEY, GFP_KERNEL, &ipsec_pfkey_proto, kern);
	if (!sk)
		return -ENOMEM;
	sock->ops = &ipsec_pfkey_ops;
	sock_init_data(sock, sk);
	sk->sk_family = PF_KEY;
	sk->sk_destruct = ipsec_pfkey_sock_destruct;
	/* broadcasts walk the list under RCU */
	sock_set_flag(sk, SOCK_RCU_FREE);

	mutex_lock(&in->pfkey_lock);
	sk_add_node_rcu(sk, &in->pfkey_socks);
	mutex_unlock(&in->pfkey_lock);
	return 0;
}

static const struct net_proto_family ipsec_pfkey_family = {
	.family = PF_KEY,
	.create = ipsec_pfkey_create,
	.owner = THIS_MODULE,
};

int ipsec_pfkey_net_init(struct ipsec_net *in)
{
	mutex_init(&in->pfkey_lock);
	INIT_HLIST_HEAD(&in->pfkey_socks);
	atomic64_set(&in->pfkey_drops, 0);
	atomic_set(&in->pfkey_registered, 0);
	return 0;
}

void ipsec_pfkey_net_exit(struct ipsec_net *in)
{
	/* sockets hold their namespace: none can be left */
	WARN_ON(!hlist_empty(&in->pfkey_socks));
	mutex_destroy(&in->pfkey_lock);
}

int ipsec_pfkey_init(void)
{
	int err;

	err = proto_register(&ipsec_pfkey_proto, 0);
	if (err)
		return err;
	err = sock_register(&ipsec_pfkey_family);
	if (err) {
		if (err == -EEXIST) {
			pr_err("the PF_KEY socket family is already registered, most likely by af_key: unload it with 'modprobe -r af_key' or keep it from loading with 'blacklist af_key' in /etc/modprobe.d (make install does this)\n");
			err = -EBUSY;
		}
		proto_unregister(&ipsec_pfkey_proto);
	}
	return err;
}

void ipsec_pfkey_uninit(void)
{
	sock_unregister(PF_KEY);
	proto_unregister(&ipsec_pfkey_proto);
}
