package com.example.app;

import android.telephony.TelephonyManager;

public class Phone {
    public String imei(TelephonyManager tm) {
        return tm.getDeviceId();
    }

    public String number(TelephonyManager tm) {
        return tm.getLine1Number();
    }
}
