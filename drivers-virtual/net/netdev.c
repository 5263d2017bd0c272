/* Network cards, kernel side: one net_device per ethN=/vecN: option,
 * named as the option (eth0, as UML), down until configured. Bringing it
 * up opens the transport on the host and takes its event fd as an
 * interrupt; from then on every host event (and the host half's timer)
 * runs card_poll: the host half's own work, then every waiting frame in,
 * the queued frames out, and the carrier as the host half sees the link.
 * Nothing polls: an idle card costs no host CPU. */
#include <umk/arch.h>
#include <umk/sched.h>
#include <umk/devconf.h>
#include "card.h"

static void log_messages(struct card *c)
{
	char line[256];
	while (net_host_message(c->n, line, sizeof(line)))
		printk(KERN_INFO "%s: %s\n", c->dev.name, line);
}

void card_poll(struct card *c)
{
	if (c->fd < 0)
		return;
	net_host_events(c->n);
	bool more = card_rx(c);
	card_tx_flush(c);
	if (net_host_link(c->n))
		netif_carrier_on(&c->dev);
	else
		netif_carrier_off(&c->dev);
	log_messages(c);
	int64_t t = more ? 0 : net_host_timeout(c->n);
	if (t >= 0)
		ktimer_arm(&c->timer, ktime_mono_ns() + t);
	else
		ktimer_cancel(&c->timer);
}

static void card_irq(void *data)
{
	card_poll(data);
}

static void card_timer(struct ktimer *t)
{
	card_poll(t->data);
}

static int card_open(struct net_device *dev)
{
	struct card *c = dev->priv;
	int fd = net_host_open(c->n);
	log_messages(c);
	if (fd < 0)
		return fd;
	if (arch_irq_register_fd(fd, false, card_irq, c)) {
		net_host_close(c->n);
		return -ENOSPC;
	}
	c->fd = fd;
	if (net_host_link(c->n))
		netif_carrier_on(dev);
	/* the first poll once the device is up (frames may be waiting) */
	ktimer_arm(&c->timer, 0);
	return 0;
}

static int card_stop(struct net_device *dev)
{
	struct card *c = dev->priv;
	if (c->fd < 0)
		return 0;
	ktimer_cancel(&c->timer);
	ktimer_cancel(&c->flush);
	arch_irq_unregister_fd(c->fd);
	c->fd = -1;
	card_tx_drop(c);
	card_rx_free(c);
	net_host_close(c->n);
	netif_carrier_off(dev);
	log_messages(c);
	return 0;
}

static int card_set_mtu(struct net_device *dev, unsigned mtu)
{
	struct card *c = dev->priv;
	int err = net_host_set_mtu(c->n, mtu);
	if (err)
		return err;
	card_rx_free(c);
	c->rx_size = (size_t)mtu + ETH_HLEN + 4;	/* room for an 802.1Q tag */
	return 0;
}

static void rx_mode(struct card *c, const uint8_t *mac)
{
	struct net_device *d = &c->dev;
	net_host_set_rx_mode(c->n, mac, (d->flags & IFF_PROMISC) || d->promiscuity,
			     (d->flags & IFF_ALLMULTI) || d->allmulti);
}

static void card_set_rx_mode(struct net_device *dev)
{
	rx_mode(dev->priv, dev->dev_addr);
}

static int card_set_mac(struct net_device *dev, const uint8_t *addr)
{
	rx_mode(dev->priv, addr);
	return 0;
}

static const struct net_device_ops card_ops = {
	.open = card_open, .stop = card_stop, .xmit = card_xmit, .set_mtu = card_set_mtu,
	.set_mac = card_set_mac, .set_rx_mode = card_set_rx_mode,
};

static struct card *cards[NET_CARDS_MAX];

static int add_card(int n, const struct net_card_info *info)
{
	struct card *c = kzalloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->n = n;
	c->fd = -1;
	ktimer_init(&c->timer, card_timer, c);
	card_tx_init(c);
	struct net_device *d = &c->dev;
	ether_setup(d);
	strlcpy(d->name, info->name, sizeof(d->name));
	memcpy(d->dev_addr, info->mac, ETH_ALEN);
	d->mtu = info->mtu;
	d->min_mtu = info->min_mtu;
	d->max_mtu = info->max_mtu;
	c->rx_size = (size_t)d->mtu + ETH_HLEN + 4;
	c->rx_only = info->rx_only;
	d->ops = &card_ops;
	d->priv = c;
	int err = register_netdev(d);
	if (err) {
		printk(KERN_ERR "%s: not registered (error %d)\n", info->name, -err);
		kfree(c);
		return err;
	}
	cards[n] = c;
	const uint8_t *m = info->mac;
	printk(KERN_INFO "%s: %s, MAC %02x:%02x:%02x:%02x:%02x:%02x\n", d->name, info->desc, m[0], m[1], m[2], m[3],
	       m[4], m[5]);
	return 0;
}

/* ---- hot-plug: mconsole config ethN=... / config ethN / remove ethN ---- */

static int card_index(const char *dev)
{
	for (int n = 0; n < NET_CARDS_MAX; n++)
		if (cards[n] && !strcmp(cards[n]->dev.name, dev))
			return n;
	return -1;
}

static int net_config(const char *word, struct sbuf *err)
{
	int n;
	const char *why = net_host_config(word, &n);
	if (why) {
		sbuf_printf(err, "%s: %s", word, why);
		return -EINVAL;
	}
	struct net_card_info info;
	int e = net_host_card(n, &info) ? add_card(n, &info) : -ENODEV;
	if (e) {
		net_host_forget(n);
		sbuf_printf(err, "%s: cannot add the card (error %d)", word, -e);
	}
	return e;
}

static int net_get_config(const char *dev, struct sbuf *out)
{
	int n = card_index(dev);
	const char *word = n >= 0 ? net_host_describe(n) : NULL;
	if (!word) {
		sbuf_printf(out, "%s: no such device", dev);
		return -ENODEV;
	}
	sbuf_printf(out, "%s", word);
	return 0;
}

/* As Linux's unplug of a card in use: down, gone; sockets bound to it
 * hear nothing more. */
static int net_remove(const char *dev, struct sbuf *err)
{
	int n = card_index(dev);
	if (n < 0) {
		sbuf_printf(err, "%s: no such device", dev);
		return -ENODEV;
	}
	struct card *c = cards[n];
	unregister_netdev(&c->dev);	/* down first: card_stop closes the host side */
	ktimer_cancel(&c->timer);
	ktimer_cancel(&c->flush);
	cards[n] = NULL;
	net_host_forget(n);
	printk(KERN_INFO "%s: removed\n", c->dev.name);
	kfree(c);
	return 0;
}

static const struct devconf eth_devconf = {
	.name = "eth", .config = net_config, .get_config = net_get_config, .remove = net_remove,
};
static const struct devconf vec_devconf = {
	.name = "vec", .config = net_config, .get_config = net_get_config, .remove = net_remove,
};
DEFINE_DEVCONF(eth_devconf);
DEFINE_DEVCONF(vec_devconf);

static int net_cards_init(void)
{
	struct net_card_info info;
	for (int n = 0; n < NET_CARDS_MAX; n++)
		if (net_host_card(n, &info))
			add_card(n, &info);
	return 0;
}
device_initcall(net_cards_init);
