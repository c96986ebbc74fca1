// SPDX-License-Identifier: GPL-2.0
/*
 * The PF_KEY v2 socket family (RFC 2367). Sockets are per namespace and
 * only CAP_NET_ADMIN in the namespace's user namespace may open one.
 */
#include <linux/capability.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/pfkeyv2.h>
#include <linux/socket.h>
#include <net/sock.h>

#include "pfkey.h"

static struct proto ipsec_pfkey_proto = {
	.name = "IPSEC_PFKEY",
	.owner = THIS_MODULE,
	.obj_size = sizeof(struct sock),
};

static int ipsec_pfkey_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!sk)
		return 0;
	sock_orphan(sk);
	sock->sk = NULL;
	skb_queue_purge(&sk->sk_receive_queue);
	sock_put(sk);
	return 0;
}

static int ipsec_pfkey_sendmsg(struct socket *sock, struct msghdr *msg,
			       size_t len)
{
	/* Message handling arrives with the SAD. */
	return -EOPNOTSUPP;
}

static int ipsec_pfkey_recvmsg(struct socket *sock, struct msghdr *msg,
			       size_t len, int flags)
{
	struct sock *sk = sock->sk;
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
	return err;
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

static int ipsec_pfkey_create(struct net *net, struct socket *sock,
			      int protocol, int kern)
{
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
	return 0;
}

static const struct net_proto_family ipsec_pfkey_family = {
	.family = PF_KEY,
	.create = ipsec_pfkey_create,
	.owner = THIS_MODULE,
};

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
