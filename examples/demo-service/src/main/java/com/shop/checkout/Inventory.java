// Lock contention for the lock profile: several threads reserve stock under one monitor.
package com.shop.checkout;

import java.util.concurrent.CountDownLatch;

final class Inventory {
  private static final int WORKERS = 4;
  private long stock = 1_000_000;

  long reserveConcurrently(int perWorker) {
    CountDownLatch done = new CountDownLatch(WORKERS);
    for (int w = 0; w < WORKERS; w++) {
      Thread t = new Thread(() -> {
        try {
          for (int i = 0; i < perWorker; i++) {
            reserveOne();
          }
        } finally {
          done.countDown();
        }
      }, "reserver-" + w);
      t.setDaemon(true);
      t.start();
    }
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      return stock;
    }
  }

  private synchronized void reserveOne() {
    // Holding the monitor while waiting on a slow "backend" is the contention being shown.
    stock--;
    try {
      Thread.sleep(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
