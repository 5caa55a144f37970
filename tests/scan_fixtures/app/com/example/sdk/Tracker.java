package com.example.sdk;

import android.bluetooth.BluetoothAdapter;
import android.content.ClipboardManager;
import android.content.Context;
import android.content.Intent;
import android.net.wifi.WifiInfo;
import android.provider.Settings;

/** What an analytics SDK reads: identifiers, installed apps, the clipboard. */
public class Tracker {
    public String androidId(Context c) {
        return Settings.Secure.getString(c.getContentResolver(), Settings.Secure.ANDROID_ID);
    }

    public int apps(Context c) {
        return c.getPackageManager().getInstalledPackages(0).size()
            + c.getPackageManager().queryIntentActivities(new Intent("android.intent.action.MAIN"), 0).size();
    }

    public String macs(WifiInfo wifi, BluetoothAdapter bt) {
        return wifi.getMacAddress() + bt.getAddress();
    }

    public Object clip(ClipboardManager cm) {
        return cm.getPrimaryClip();
    }
}
