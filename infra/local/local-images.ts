import type { ImageSpec } from '../../node-agent/images/busybox-image.js';

/** The image a local cluster's pods run out of the box, and its sandbox ("pause") image: both busybox, built here, no registry needed. */
export const BUSYBOX_IMAGE = 'skiff.local/busybox:1';
export const PAUSE_IMAGE = 'skiff.local/pause:1';

export const LOCAL_IMAGES: ImageSpec[] = [{ name: BUSYBOX_IMAGE }, { name: PAUSE_IMAGE, entrypoint: ['/bin/sleep', '2147483647'] }];
