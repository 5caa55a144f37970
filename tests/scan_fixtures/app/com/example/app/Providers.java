package com.example.app;

import android.content.Context;
import android.database.Cursor;
import android.net.Uri;
import android.provider.CalendarContract;
import android.provider.CallLog;
import android.provider.ContactsContract;

public class Providers {
    public Cursor contacts(Context c) {
        return c.getContentResolver().query(ContactsContract.Contacts.CONTENT_URI, null, null, null, null);
    }

    public Cursor calls(Context c) {
        return c.getContentResolver().query(CallLog.Calls.CONTENT_URI, null, null, null, null);
    }

    public Cursor inbox(Context c) {
        return c.getContentResolver().query(Uri.parse("content://sms/inbox"), null, null, null, null);
    }

    /** The URI only: the query happens elsewhere. */
    public Uri events() {
        return CalendarContract.Events.CONTENT_URI;
    }

    /** Not a provider of personal data. */
    public Uri media() {
        return Uri.parse("content://media/external/images");
    }
}
